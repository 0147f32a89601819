//go:build !linux

package main

func hygieneProbe() {}
