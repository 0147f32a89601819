package crypto

// SetMaxScryptWorkFactorForFuzzing lowers the highest scrypt work factor
// that opening a slot accepts, so that a fuzzer that mutates the work factor
// in a slot's header does not spend seconds and gigabytes on each input.
func SetMaxScryptWorkFactorForFuzzing(logN int) (restore func()) {
	old := maxScryptWorkFactor
	maxScryptWorkFactor = logN
	return func() { maxScryptWorkFactor = old }
}
