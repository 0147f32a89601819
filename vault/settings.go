package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Settings are the vault's own preferences, by name: what publish writes in
// citations. They are kept in the database (kv namespace "settings").
const settingsNS = "settings"

// Settings and their defaults.
var settingDefaults = map[string]string{
	// org is the organisation a citation names.
	"org": "",
	// citation is the template of a quote's footnote.
	"citation": "{org} {mode} interview with {pseudonym}, {place}, {month} {year}.",
}

// SettingNames lists the settings, sorted.
func SettingNames() []string {
	var out []string
	for k := range settingDefaults {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Setting returns a setting's value, or its default.
func (v *Vault) Setting(ctx context.Context, name string) (string, error) {
	if err := v.ready(); err != nil {
		return "", err
	}
	def, ok := settingDefaults[name]
	if !ok {
		return "", fmt.Errorf("%w: no setting %q (there are: %s)", ErrInvalid, name, strings.Join(SettingNames(), ", "))
	}
	var value []byte
	err := v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = ? AND key = ?`, settingsNS, name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	return string(value), err
}

// SetSetting sets a setting; "" puts back its default.
func (v *Vault) SetSetting(ctx context.Context, name, value string) error {
	if err := v.ready(); err != nil {
		return err
	}
	if _, ok := settingDefaults[name]; !ok {
		return fmt.Errorf("%w: no setting %q (there are: %s)", ErrInvalid, name, strings.Join(SettingNames(), ", "))
	}
	value = strings.TrimSpace(value)
	if err := checkText("the setting", value); err != nil {
		return err
	}
	if strings.Contains(value, "\n") || len(value) > 1000 {
		return fmt.Errorf("%w: a setting is one line of at most 1000 bytes", ErrInvalid)
	}
	rec := kvRecord{NS: settingsNS, Key: name, Value: []byte(value)}
	if value == "" {
		rec = kvRecord{NS: settingsNS, Key: name, Delete: true}
	}
	return v.commit(&change{KV: []kvRecord{rec}})
}
