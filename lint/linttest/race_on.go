//go:build race

package linttest

const raceEnabled = true
