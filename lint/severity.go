package lint

import (
	"encoding/json"
	"fmt"
)

// Severity orders findings so that a single threshold (--fail-on) can decide
// the exit code. The zero value means "use the rule's default".
type Severity int

const (
	SeverityNote Severity = iota + 1
	SeverityWarning
	SeverityError
)

var severityNames = map[Severity]string{
	SeverityNote:    "note",
	SeverityWarning: "warning",
	SeverityError:   "error",
}

func (s Severity) String() string {
	if name, ok := severityNames[s]; ok {
		return name
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity accepts the names used on the command line, in config files
// and in JSON reports.
func ParseSeverity(name string) (Severity, error) {
	for s, n := range severityNames {
		if n == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning or note)", name)
}

func (s Severity) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.String())
}

func (s *Severity) UnmarshalJSON(data []byte) error {
	var name string
	if err := json.Unmarshal(data, &name); err != nil {
		return err
	}
	parsed, err := ParseSeverity(name)
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}
