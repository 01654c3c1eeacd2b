//go:build !race

package linttest

const raceEnabled = false
