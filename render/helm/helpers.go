package helm

import (
	"strings"
	"text/template/parse"
)

// Markers may go inside a named template (a `define` body, a helper) only
// when everything its output reaches is written to the rendered manifest
// unchanged but for indentation. A helper's output that a function reads
// (trim, trunc, sha256sum, b64enc, fromYaml, eq, tpl, printf), that a
// variable holds or that a condition tests would read the markers too, and
// the render would change. So the question is asked of every call site of a
// helper across all the charts of a render, since defines are shared by
// all of them: a helper is marked only when each of its call sites writes
// its output straight into a body that is itself written straight out (a
// top-level template, or a helper marked by the same rule). One unsafe
// call site leaves that helper, and the helpers only it reaches, unmarked;
// their findings stay on the line of the outermost safe call.

// callSite is one `include` or `template` of a helper.
type callSite struct {
	// caller is the helper whose body holds the call, or "" for the main
	// body of a template file.
	caller string
	// direct is set when the call's output is written out as it is, or
	// through indent or nindent, and the body holding it, if a main body,
	// is written straight to a manifest.
	direct bool
}

// helperAnalysis gathers the call sites of a chart's templates.
type helperAnalysis struct {
	defined map[string]bool
	sites   map[string][]callSite
	// dynamic holds the literal strings of includes whose name is
	// computed, for the helpers it could name.
	dynamic []dynamicInclude
	// texts are strings templates may be parsed from at render time (tpl
	// of a values string or a chart file): a helper they name is called
	// from a place this analysis cannot see.
	texts []string
}

type dynamicInclude struct {
	literals []string
	site     callSite
}

func newHelperAnalysis() *helperAnalysis {
	return &helperAnalysis{defined: map[string]bool{}, sites: map[string][]callSite{}}
}

// addFile records the call sites of one parsed template file. mainDirect
// says whether its main body is written straight to a manifest: not when
// other templates may include the file by name.
func (a *helperAnalysis) addFile(name string, trees map[string]*parse.Tree, mainDirect bool) {
	for n, tree := range trees {
		if n == name {
			a.list(tree.Root, callSite{caller: "", direct: mainDirect})
			continue
		}
		a.defined[n] = true
		a.list(tree.Root, callSite{caller: n, direct: true})
	}
}

// addText records a string that may be rendered with tpl.
func (a *helperAnalysis) addText(s string) {
	if strings.Contains(s, "{{") {
		a.texts = append(a.texts, s)
	}
}

func (a *helperAnalysis) list(l *parse.ListNode, ctx callSite) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if name, dyn, ok := directCall(n); ok {
				a.call(name, dyn, ctx)
				// The include's own arguments are read by it.
				a.pipe(n.Pipe, ctx, true)
				continue
			}
			a.pipe(n.Pipe, ctx, false)
		case *parse.TemplateNode:
			a.call(n.Name, nil, ctx)
			a.pipe(n.Pipe, ctx, false)
		case *parse.IfNode:
			a.pipe(n.Pipe, ctx, false)
			a.list(n.List, ctx)
			a.list(n.ElseList, ctx)
		case *parse.WithNode:
			a.pipe(n.Pipe, ctx, false)
			a.list(n.List, ctx)
			a.list(n.ElseList, ctx)
		case *parse.RangeNode:
			a.pipe(n.Pipe, ctx, false)
			a.list(n.List, ctx)
			a.list(n.ElseList, ctx)
		}
	}
}

// call records a call made from ctx; name is empty for a computed name,
// whose literal parts are dyn.
func (a *helperAnalysis) call(name string, dyn []string, ctx callSite) {
	if name == "" {
		a.dynamic = append(a.dynamic, dynamicInclude{literals: dyn, site: ctx})
		return
	}
	a.sites[name] = append(a.sites[name], ctx)
}

// pipe records every include inside a pipeline as a call whose output is
// read by a function. skipHead skips the head include of a direct call,
// already recorded, while still visiting its arguments.
func (a *helperAnalysis) pipe(p *parse.PipeNode, ctx callSite, skipHead bool) {
	if p == nil {
		return
	}
	read := callSite{caller: ctx.caller, direct: false}
	for i, c := range p.Cmds {
		args := c.Args
		if i == 0 && skipHead {
			if len(args) == 1 {
				if inner, ok := args[0].(*parse.PipeNode); ok {
					a.pipe(inner, ctx, true)
					continue
				}
			}
			if len(args) > 1 {
				if _, ok := args[1].(*parse.StringNode); ok {
					args = args[2:]
				} else {
					args = args[1:]
				}
			}
		} else if len(args) > 1 && isIdent(args[0], "include") {
			name, dyn := includeName(args[1])
			a.call(name, dyn, read)
		}
		for _, arg := range args {
			a.arg(arg, ctx)
		}
	}
}

func (a *helperAnalysis) arg(n parse.Node, ctx callSite) {
	switch n := n.(type) {
	case *parse.PipeNode:
		a.pipe(n, ctx, false)
	case *parse.ChainNode:
		a.arg(n.Node, ctx)
	case *parse.StringNode:
		a.addText(n.Text)
	}
}

// directCall reports whether an action writes the output of one include
// (or a parenthesised one) straight out, through indent or nindent at
// most, and which helper it names.
func directCall(n *parse.ActionNode) (name string, dyn []string, ok bool) {
	if n.Pipe == nil || len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) == 0 {
		return "", nil, false
	}
	for _, c := range n.Pipe.Cmds[1:] {
		if len(c.Args) != 2 || !isIdent(c.Args[0], "indent") && !isIdent(c.Args[0], "nindent") {
			return "", nil, false
		}
	}
	args := n.Pipe.Cmds[0].Args
	if len(args) == 1 {
		if inner, isPipe := args[0].(*parse.PipeNode); isPipe {
			return directCall(&parse.ActionNode{Pipe: inner})
		}
	}
	if len(args) < 2 || !isIdent(args[0], "include") {
		return "", nil, false
	}
	name, dyn = includeName(args[1])
	return name, dyn, true
}

// includeName is the helper an include names: a string literal, or else
// the literal strings of the expression computing it.
func includeName(n parse.Node) (string, []string) {
	if s, ok := n.(*parse.StringNode); ok {
		return s.Text, nil
	}
	var lits []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.StringNode:
			lits = append(lits, n.Text)
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				for _, a := range c.Args {
					walk(a)
				}
			}
		}
	}
	walk(n)
	return "", lits
}

func isIdent(n parse.Node, name string) bool {
	id, ok := n.(*parse.IdentifierNode)
	return ok && id.Ident == name
}

// safeHelpers returns the helpers whose bodies may carry markers.
func (a *helperAnalysis) safeHelpers() map[string]bool {
	unsafe := map[string]bool{}
	for name := range a.defined {
		for _, t := range a.texts {
			if strings.Contains(t, `"`+name+`"`) || strings.Contains(t, "`"+name+"`") {
				unsafe[name] = true
				break
			}
		}
	}
	// A computed name may be any helper holding all its literal parts.
	for _, d := range a.dynamic {
		for name := range a.defined {
			if !unsafe[name] && containsAll(name, d.literals) {
				a.sites[name] = append(a.sites[name], d.site)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for name, sites := range a.sites {
			if unsafe[name] {
				continue
			}
			for _, s := range sites {
				if !s.direct || (s.caller != "" && unsafe[s.caller]) {
					unsafe[name] = true
					changed = true
					break
				}
			}
		}
	}
	// A helper nothing calls needs no markers: leaving it alone spares
	// rewriting the files that hold only such helpers.
	safe := map[string]bool{}
	for name := range a.defined {
		if !unsafe[name] && len(a.sites[name]) > 0 {
			safe[name] = true
		}
	}
	return safe
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
