package gitindex

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockershim-lint/dockershim-lint/render/source"
)

// Load reads the index of the work tree whose top directory is root. It
// is read through render/source, so it must be a regular file within the
// size limit. The index lives in the repository directory, which for a
// linked worktree or a submodule is elsewhere, named by a .git file; that
// is git's own bookkeeping, not input, so it is read wherever it is, and
// what it lists is only ever joined to root.
func Load(root string) ([]byte, error) {
	dir, err := gitDir(root)
	if err != nil {
		return nil, err
	}
	index := filepath.Join(dir, "index")
	return source.ReadFile(filepath.ToSlash(index), index)
}

// gitDir is the repository directory of the work tree at root: root/.git
// itself, or the directory a .git file points to with "gitdir: PATH", as
// git writes for linked worktrees and submodules. A relative PATH is
// relative to root.
func gitDir(root string) (string, error) {
	dotGit := filepath.Join(root, ".git")
	info, err := os.Stat(dotGit)
	if err != nil {
		return "", err
	}
	if info.IsDir() {
		return dotGit, nil
	}
	data, err := source.ReadFile(filepath.ToSlash(dotGit), dotGit)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	dir, ok := strings.CutPrefix(strings.TrimRight(line, " \t\r"), "gitdir: ")
	if !ok || dir == "" {
		return "", errors.New(filepath.ToSlash(dotGit) + ": not a gitdir: file")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	return dir, nil
}
