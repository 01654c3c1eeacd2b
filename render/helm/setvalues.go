package helm

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dockershim-lint/dockershim-lint/render/source"
	"helm.sh/helm/v3/pkg/strvals"
)

// SetBudget bounds what the --set family of one chart (--set, --set-string,
// --set-file, and a config file's set and set-string) makes Helm's strvals
// parser build. Helm refuses a list index over strvals.MaxIndex, but not
// indexes nested in one another or repeated: "a[65536][65536]..." builds a
// list of 65,537 elements per 7 bytes of text, so 700 bytes took a gigabyte.
// The budget charges every index for the list it makes, MaxSetListElements
// in all, and every value for its bytes, MaxSetSize in all, before the
// parser sees any of it.
type SetBudget struct {
	elements int
	size     int
}

// Add charges value, written in Helm's KEY=VALUE[,KEY=VALUE] syntax, and
// returns an error when it goes over the budget.
func (b *SetBudget) Add(value string) error {
	b.elements += listElements(value)
	if b.elements > MaxSetListElements {
		return fmt.Errorf("list indexes add up to %d elements, more than the %d limit", b.elements, MaxSetListElements)
	}
	return b.AddSize(len(value))
}

// AddSize charges n bytes, the content of a --set-file file.
func (b *SetBudget) AddSize(n int) error {
	b.size += n
	if b.size > MaxSetSize {
		return fmt.Errorf("values add up to more than the %d MiB limit", MaxSetSize>>20)
	}
	return nil
}

// listElements adds up the lists the indexes of value make: a[2] makes
// three elements. It reads value as strvals does: keys up to '=', with
// [index] parts; a value up to the next ',', or a {a,b} list up to '}';
// a backslash escapes the next character. An index strvals would refuse
// costs nothing, since strvals allocates nothing for it.
func listElements(value string) int {
	total := 0
	inKey := true
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c == '\\':
			i++
		case !inKey:
			if c == ',' {
				inKey = true
			}
		case c == '=':
			inKey = false
			if i+1 < len(value) && value[i+1] == '{' {
				i = skipList(value, i+2)
				inKey = true
			}
		case c == '[':
			end := indexUnescaped(value[i+1:], ']')
			if end < 0 {
				return total
			}
			n, err := strconv.Atoi(unescape(value[i+1 : i+1+end]))
			if err == nil && n >= 0 && n <= strvals.MaxIndex {
				total += n + 1
			}
			i += end + 1
		}
	}
	return total
}

// skipList returns the index of the '}' that ends a {a,b} list value
// starting at from, and of the ',' after it when there is one.
func skipList(value string, from int) int {
	end := indexUnescaped(value[from:], '}')
	if end < 0 {
		return len(value)
	}
	i := from + end
	if i+1 < len(value) && value[i+1] == ',' {
		i++
	}
	return i
}

// indexUnescaped is strings.IndexByte for a c not escaped by a backslash.
func indexUnescaped(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case c:
			return i
		}
	}
	return -1
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ShortValue is a --set value as error messages quote it: hostile ones
// run to kilobytes.
func ShortValue(value string) string {
	most := 60
	if len(value) <= most {
		return value
	}
	for !utf8.RuneStart(value[most]) {
		most--
	}
	return value[:most] + "..."
}

// readSetFile reads a --set-file file, charging budget for its content.
func readSetFile(name string, budget *SetBudget) (string, error) {
	data, err := source.ReadFile(name, name)
	if err != nil {
		return "", err
	}
	if err := budget.AddSize(len(data)); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return string(data), nil
}
