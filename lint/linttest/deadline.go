package linttest

import "time"

// Deadline is how long a test may wait, at most, for work that takes well
// under d on an ordinary build: under the race detector, which slows the
// code it checks five to twenty times, d is stretched to match. Deadlines
// catch hangs and work that grows faster than its input; they are never a
// measure of speed.
func Deadline(d time.Duration) time.Duration {
	if raceEnabled {
		return 20 * d
	}
	return d
}
