// Package gitindex lists the files git tracks in a work tree by reading the
// repository's index file (.git/index) itself, without running git.
// Discovery uses it to find a repository's kustomizations without walking
// the tree: the index already names every tracked file.
//
// The format is git's, documented in gitformat-index(5): versions 2, 3
// (extended flags) and 4 (path names prefix-compressed), SHA-1 or SHA-256
// object names. Read trusts nothing in the file: every length and count is
// bounded by the data, and an index that is not well-formed is an error
// rather than a partial listing.
package gitindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The fixed part of an entry: ten 32-bit fields of stat data (ctime and
// mtime as seconds and nanoseconds, dev, ino, mode, uid, gid, size), then
// the object name, then 16 bits of flags.
const (
	statSize   = 40
	modeOffset = 24
	headerSize = 12
)

// Flags of an entry.
const (
	flagExtended     = 0x4000
	nameLengthMask   = 0x0fff
	extSkipWorktree  = 0x4000
	extIntentToAdd   = 0x2000
	knownExtendFlags = extSkipWorktree | extIntentToAdd
)

// Object types in the top four bits of an entry's mode.
const (
	typeDir     = 0o04 // a sparse directory entry, in a sparse index
	typeFile    = 0o10
	typeSymlink = 0o12
	typeGitlink = 0o16
)

// hashSizes are the sizes of object names git writes: SHA-1 and SHA-256.
var hashSizes = []int{20, 32}

// maxExpansion bounds how many bytes of path names a version 4 index may
// expand to per byte of file. Prefix compression lets each entry repeat
// the whole of the previous path for a byte or two, so a crafted index of
// a few megabytes could otherwise make Read produce terabytes of paths.
// Real indexes stay below 2 (paths of 150 bytes stored in entries of 90);
// 16 leaves room for kilobyte-long paths.
const maxExpansion = 16

// ErrSplitIndex is returned for a split index (core.splitIndex), whose
// entries are spread over a second, shared index file: the file alone
// does not list every tracked path.
var ErrSplitIndex = errors.New("split index: the entries are in a shared index file too")

// Read returns the path of each entry of the index held in data whose file
// name (the path's last element) keep accepts, in the index's order, which
// is sorted; a path in a merge conflict comes once per stage. A path is
// relative to the top of the work tree, separated by slashes, never empty
// or absolute and never holding an empty, "." or ".." element. Entries for
// sparse directories (a sparse index's stand-in for a directory outside
// the sparse checkout) are passed over: they are not files.
//
// keep sees each name before it is checked and must not retain it. Paths
// are checked only once kept: a lint looks for a few names among tens of
// thousands, and checking every path would cost more than the rest of
// reading the index.
//
// Read returns an error when data is not an index it can read whole. The
// trailing checksum is not verified: hashing a monorepo's index costs more
// than the rest of a one-file lint, and a repository with index.skipHash
// set has none. The structure is checked instead, down to the last byte
// before it.
func Read(data []byte, keep func(name []byte) bool) ([]string, error) {
	if len(data) < headerSize || string(data[:4]) != "DIRC" {
		return nil, errors.New("not a git index: no DIRC signature")
	}
	version := binary.BigEndian.Uint32(data[4:])
	if version < 2 || version > 4 {
		return nil, fmt.Errorf("git index version %d is not supported (only 2, 3 and 4)", version)
	}
	count := binary.BigEndian.Uint32(data[8:])
	if count == 0 {
		return nil, nil
	}
	// The index does not say which hash the repository uses; its first
	// entry is well-formed under one size only. When it is under neither,
	// the error worth reporting is SHA-1's, git's default.
	var sha1Err error
	for _, hashSize := range hashSizes {
		if len(data) < headerSize+hashSize {
			break
		}
		probe := reader{data: data, version: version, hashSize: hashSize}
		_, err := probe.entry(headerSize)
		if err == nil || errors.Is(err, ErrSplitIndex) {
			r := reader{data: data, version: version, hashSize: hashSize, keep: keep}
			if err := r.read(count); err != nil {
				return nil, err
			}
			return r.kept, nil
		}
		if sha1Err == nil {
			sha1Err = err
		}
	}
	if sha1Err == nil {
		sha1Err = errors.New("truncated")
	}
	return nil, fmt.Errorf("entry 1: %w", sha1Err)
}

// reader reads one index whose object names are hashSize bytes long.
type reader struct {
	data     []byte
	version  uint32
	hashSize int
	// path is the previous entry's path: the base a version 4 entry
	// strips and extends, and what every path must sort after.
	path []byte
	// expanded counts the bytes of path produced, against maxExpansion.
	expanded int
	// keep chooses the paths to return, by file name, into kept; a probe
	// keeps none.
	keep func(name []byte) bool
	kept []string
}

func (r *reader) read(count uint32) error {
	end := len(r.data) - r.hashSize
	off := headerSize
	for i := range count {
		next, err := r.entry(off)
		if err != nil {
			return fmt.Errorf("entry %d at byte %d: %w", i+1, off, err)
		}
		off = next
	}
	// Extensions (the cached tree, resolve-undo, untracked cache ...)
	// follow the entries: a signature, a length and that many bytes each.
	for off < end {
		if end-off < 8 {
			return fmt.Errorf("extension at byte %d: truncated header", off)
		}
		signature := string(r.data[off : off+4])
		size := binary.BigEndian.Uint32(r.data[off+4:])
		if uint64(size) > uint64(end-off-8) {
			return fmt.Errorf("extension %q at byte %d: %d bytes run past the end", signature, off, size)
		}
		if signature == "link" {
			return ErrSplitIndex
		}
		off += 8 + int(size)
	}
	if off != end {
		return fmt.Errorf("entries run %d bytes into the checksum", off-end)
	}
	return nil
}

// entry reads the entry at off, keeps its path if it is a file with a name
// r.keep accepts, and returns where the next entry begins.
func (r *reader) entry(off int) (int, error) {
	data := r.data[:len(r.data)-r.hashSize]
	start := off
	fixed := statSize + r.hashSize + 2
	if fixed > len(data)-off {
		return 0, errors.New("truncated")
	}
	mode := binary.BigEndian.Uint32(data[off+modeOffset:])
	flags := binary.BigEndian.Uint16(data[off+statSize+r.hashSize:])
	off += fixed
	if flags&flagExtended != 0 {
		if r.version < 3 {
			return 0, errors.New("extended flags in a version 2 index")
		}
		if len(data)-off < 2 {
			return 0, errors.New("truncated")
		}
		if ext := binary.BigEndian.Uint16(data[off:]); ext&^knownExtendFlags != 0 {
			return 0, fmt.Errorf("unknown extended flags %#04x", ext)
		}
		off += 2
	}
	objectType := mode >> 12
	switch objectType {
	case typeDir, typeFile, typeSymlink, typeGitlink:
	default:
		return 0, fmt.Errorf("mode %o is no file, link, submodule or directory", mode)
	}

	keep := 0 // bytes of the previous path this entry's path begins with
	if r.version == 4 {
		strip, n, ok := varint(data[off:])
		if !ok || strip > uint64(len(r.path)) {
			return 0, errors.New("bad path prefix length")
		}
		keep = len(r.path) - int(strip)
		off += n
	}
	nul := bytes.IndexByte(data[off:], 0)
	if nul < 0 {
		return 0, errors.New("path runs past the end")
	}
	suffix := data[off : off+nul]
	next := off + nul + 1
	if r.version < 4 {
		// Entries are padded with one to eight NULs to a multiple of
		// eight bytes.
		next = start + (off+nul-start+8)&^7
		if next > len(data) {
			return 0, errors.New("padding runs past the end")
		}
		for _, b := range data[off+nul : next] {
			if b != 0 {
				return 0, errors.New("padding is not NUL bytes")
			}
		}
	}

	// The new path must sort at or after the previous one; both begin
	// with the kept prefix, so comparing what follows it is enough.
	if bytes.Compare(r.path[keep:], suffix) > 0 {
		return 0, errors.New("entries out of order")
	}
	var path []byte
	if r.version == 4 {
		r.path = append(r.path[:keep], suffix...)
		path = r.path
	} else {
		path = suffix
		r.path = suffix
	}
	if r.expanded += len(path); r.expanded > maxExpansion*len(r.data) {
		return 0, errors.New("path names expand beyond any index git writes")
	}
	if length := int(flags & nameLengthMask); length != min(len(path), nameLengthMask) {
		return 0, fmt.Errorf("path is %d bytes, flags say %d", len(path), length)
	}

	if len(path) == 0 {
		// Only a split index writes entries without a path: stand-ins
		// for entries of the shared index they replace.
		return 0, ErrSplitIndex
	}
	// A sparse directory's path ends in a slash.
	if objectType == typeDir || r.keep == nil || !r.keep(path[bytes.LastIndexByte(path, '/')+1:]) {
		return next, nil
	}
	if !validPath(path) {
		return 0, fmt.Errorf("invalid path %q", path)
	}
	r.kept = append(r.kept, string(path))
	return next, nil
}

// varint decodes git's variable-length integer (offset encoding, as in
// pack files: each continuation adds one before shifting, so no value has
// two encodings). ok is false when b ends inside it or it overflows.
func varint(b []byte) (v uint64, n int, ok bool) {
	for n < len(b) {
		c := b[n]
		n++
		v |= uint64(c & 0x7f)
		if c&0x80 == 0 {
			return v, n, true
		}
		if v >= 1<<56 {
			return 0, 0, false
		}
		v = (v + 1) << 7
	}
	return 0, 0, false
}

// validPath reports whether path is one git itself would have written: a
// relative, slash-separated path with no empty, "." or ".." element.
func validPath(path []byte) bool {
	for {
		elem, rest, more := bytes.Cut(path, []byte("/"))
		switch len(elem) {
		case 0:
			return false
		case 1, 2:
			if elem[0] == '.' && elem[len(elem)-1] == '.' {
				return false
			}
		}
		if !more {
			return true
		}
		path = rest
	}
}
