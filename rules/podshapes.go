package rules

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/dockershim-lint/dockershim-lint/lint"
	"go.yaml.in/yaml/v3"
)

// podShape is where the custom resources of one API group and some of its
// kinds keep their pods (see podshapes.yaml).
type podShape struct {
	Group         string   `yaml:"group"`
	Kinds         []string `yaml:"kinds"`
	Pods          []string `yaml:"pods"`
	Containers    []string `yaml:"containers"`
	Volumes       []string `yaml:"volumes"`
	SharedVolumes []string `yaml:"sharedVolumes"`
	Scripts       []string `yaml:"scripts"`

	pods, containers, volumes, sharedVolumes []shapePath
}

//go:embed podshapes.yaml
var podShapesYAML []byte

// corePodShape is the shape of the pod specs of the built-in kinds, and of
// any pod spec the generic search finds.
var corePodShape = mustCompileShape(&podShape{
	Containers: []string{"containers[]", "initContainers[]", "ephemeralContainers[]"},
	Volumes:    []string{"volumes"},
})

// podShapes is parsed on first use, like the agent table.
var podShapes = sync.OnceValue(func() []*podShape {
	shapes, err := parsePodShapes(podShapesYAML)
	if err != nil {
		// The file is embedded and checked by tests: failing here is a
		// build defect, not bad input.
		panic("rules/podshapes.yaml: " + err.Error())
	}
	return shapes
})

func parsePodShapes(data []byte) ([]*podShape, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var shapes []*podShape
	if err := dec.Decode(&shapes); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	for _, s := range shapes {
		if s.Group == "" || len(s.Kinds) == 0 || len(s.Pods) == 0 {
			return nil, fmt.Errorf("shape %s %v: group, kinds and pods are required", s.Group, s.Kinds)
		}
		if len(s.Containers) == 0 {
			s.Containers = corePodShape.Containers
		}
		if len(s.Volumes) == 0 {
			s.Volumes = corePodShape.Volumes
		}
		if err := s.compile(); err != nil {
			return nil, fmt.Errorf("shape %s %v: %w", s.Group, s.Kinds, err)
		}
	}
	return shapes, nil
}

func mustCompileShape(s *podShape) *podShape {
	if err := s.compile(); err != nil {
		panic(err)
	}
	return s
}

func (s *podShape) compile() error {
	for _, c := range []struct {
		src []string
		dst *[]shapePath
	}{{s.Pods, &s.pods}, {s.Containers, &s.containers}, {s.Volumes, &s.volumes}, {s.SharedVolumes, &s.sharedVolumes}} {
		for _, p := range c.src {
			sp, err := parseShapePath(p)
			if err != nil {
				return err
			}
			*c.dst = append(*c.dst, sp)
		}
	}
	return nil
}

// shapeFor returns the shape of obj's kind, or nil.
func shapeFor(obj *lint.Object) *podShape {
	group, _, ok := strings.Cut(obj.APIVersion, "/")
	if !ok {
		return nil
	}
	for _, s := range podShapes() {
		if s.Group == group && slices.Contains(s.Kinds, obj.Kind) {
			return s
		}
	}
	return nil
}

// shapePath is a parsed path of the shape table.
type shapePath []shapeStep

type shapeStep struct {
	key string
	// items steps to every item of a list, values to every value of a
	// mapping; a step with neither follows key.
	items, values bool
}

func parseShapePath(p string) (shapePath, error) {
	var out shapePath
	for _, seg := range strings.Split(p, ".") {
		switch {
		case seg == "*":
			out = append(out, shapeStep{values: true})
		case strings.HasSuffix(seg, "[]") && len(seg) > 2:
			out = append(out, shapeStep{key: strings.TrimSuffix(seg, "[]")}, shapeStep{items: true})
		case seg != "" && !strings.ContainsAny(seg, "[]*"):
			out = append(out, shapeStep{key: seg})
		default:
			return nil, fmt.Errorf("path %q: bad segment %q", p, seg)
		}
	}
	return out, nil
}

// shapeMatch is a node a shape path leads to, and its field path.
type shapeMatch struct {
	node  *yaml.Node
	field lint.FieldPath
}

// find appends to out every node p leads to from n, which sits at field.
// The steps walked so far are kept on a stack and a field path is built
// for a match only: a pod has few containers, and most of the paths tried
// (initContainers, ephemeralContainers) lead nowhere.
func (p shapePath) find(out []shapeMatch, n *yaml.Node, field lint.FieldPath, steps []lint.Step) []shapeMatch {
	if n == nil {
		return out
	}
	if len(p) == 0 {
		return append(out, shapeMatch{node: n, field: field.Append(steps...)})
	}
	step, rest := p[0], p[1:]
	switch {
	case step.items:
		for i, item := range lint.Items(n) {
			out = rest.find(out, item, field, append(steps, lint.Index(i)))
		}
	case step.values:
		for k, v := range lint.Entries(n) {
			out = rest.find(out, v, field, append(steps, lint.Key(k.Value)))
		}
	default:
		if child := lint.Get(n, step.key); child != nil {
			out = rest.find(out, child, field, append(steps, lint.Key(step.key)))
		}
	}
	return out
}

// findAll is find over several paths.
func findAll(paths []shapePath, n *yaml.Node, field lint.FieldPath) []shapeMatch {
	var out []shapeMatch
	var stack [8]lint.Step
	for _, p := range paths {
		out = p.find(out, n, field, stack[:0])
	}
	return out
}

// maxPodSearchDepth bounds the generic search for pod specs: real custom
// resources nest them a few levels down, hostile input far deeper.
const maxPodSearchDepth = 12

// genericPodSpecs finds, under the object's spec, every mapping whose
// containers list holds an item with a name and an image: the shape every
// pod spec has, whatever custom resource embeds it. It does not look
// inside a pod spec it found. Most objects it searches (Services, custom
// resources without pods) hold none, so the walk keeps its path as steps
// on a stack and builds a FieldPath only for a find. Aliases are followed
// only to maxPodSearchDepth, which also ends an alias inside its anchor;
// the decoder has bounded what aliases expand to.
func genericPodSpecs(obj *lint.Object) []shapeMatch {
	var out []shapeMatch
	// The stack never grows past the depth bound, so it is allocated
	// once at its full size.
	steps := make([]lint.Step, 1, maxPodSearchDepth+1)
	steps[0] = lint.Key("spec")
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		n = lint.Resolve(n)
		if n == nil || len(steps) > maxPodSearchDepth {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			if looksLikePodSpec(n) {
				out = append(out, shapeMatch{node: n, field: lint.NewFieldPath(steps...)})
				return
			}
			for k, v := range lint.Entries(n) {
				if v.Kind == yaml.ScalarNode {
					continue
				}
				steps = append(steps, lint.Key(k.Value))
				walk(v)
				steps = steps[:len(steps)-1]
			}
		case yaml.SequenceNode:
			for i, item := range lint.Items(n) {
				if item.Kind == yaml.ScalarNode {
					continue
				}
				steps = append(steps, lint.Index(i))
				walk(item)
				steps = steps[:len(steps)-1]
			}
		}
	}
	if spec := lint.Get(obj.Node, "spec"); spec != nil && spec.Kind != yaml.ScalarNode {
		walk(spec)
	}
	return out
}

func looksLikePodSpec(n *yaml.Node) bool {
	for _, c := range lint.Items(lint.Get(n, "containers")) {
		if lint.Scalar(lint.Get(c, "name")) != "" && lint.Scalar(lint.Get(c, "image")) != "" {
			return true
		}
	}
	return false
}

// isShellScript reports whether a container's script (Argo's source,
// Tekton's script) is run by a shell: Argo runs it with the container's
// command, Tekton with its #! line, and both default to sh.
func isShellScript(c *yaml.Node, script string) bool {
	interpreter := ""
	if line, ok := strings.CutPrefix(script, "#!"); ok {
		line, _, _ = strings.Cut(line, "\n")
		words := strings.Fields(line)
		if len(words) > 1 && path.Base(words[0]) == "env" {
			words = words[1:]
		}
		if len(words) > 0 {
			interpreter = words[0]
		}
	} else if cmd := lint.Get(c, "command"); cmd != nil {
		for _, w := range lint.Items(cmd) {
			interpreter = lint.Scalar(w)
			break
		}
	}
	return interpreter == "" || slices.Contains(shells, path.Base(interpreter))
}
