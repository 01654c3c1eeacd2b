package main

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	imageLayoutDir = "image"
	// imageBinary is the entrypoint: everything the image holds besides
	// it is the user account and the directories below.
	imageBinary = "/usr/local/bin/" + projectName
	// imageWorkdir is where users mount the repository to lint
	// (docker run -v "$PWD:/src"), and where pre-commit's docker_image
	// hooks mount it too.
	imageWorkdir = "/src"
	// imageUser is distroless's nonroot account, so that the numbers
	// match what Kubernetes policies and scanners expect of it.
	imageUser = "65532:65532"
)

type imagePlatform struct {
	target target
	binary string
}

type imageMeta struct {
	version, commit string
	created         time.Time
}

// writeImage writes a multi-platform image, one manifest per linux
// target, as an OCI layout in dir: index.json names one image index,
// tagged with the version, which `crane push DIR IMAGE:TAG` publishes.
func writeImage(dir string, platforms []imagePlatform, meta imageMeta) error {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		img, err := platformImage(p, meta)
		if err != nil {
			return err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add: img,
			Descriptor: v1.Descriptor{
				Platform: &v1.Platform{OS: p.target.goos, Architecture: p.target.goarch},
			},
		})
	}
	path, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return path.AppendIndex(idx, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": meta.version,
	}))
}

func platformImage(p imagePlatform, meta imageMeta) (v1.Image, error) {
	binary, err := os.ReadFile(p.binary)
	if err != nil {
		return nil, err
	}
	fs, err := imageFilesystem(binary, meta.created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(fs)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS = p.target.goos
	cf.Architecture = p.target.goarch
	cf.Created = v1.Time{Time: meta.created}
	cf.Config = v1.Config{
		Entrypoint: []string{imageBinary},
		Cmd:        []string{"lint", "."},
		User:       imageUser,
		WorkingDir: imageWorkdir,
		Env:        []string{"PATH=/usr/local/bin", "HOME=/home/nonroot"},
		Labels: map[string]string{
			"org.opencontainers.image.title":       projectName,
			"org.opencontainers.image.version":     meta.version,
			"org.opencontainers.image.revision":    meta.commit,
			"org.opencontainers.image.source":      "https://" + modulePath,
			"org.opencontainers.image.description": "Find Kubernetes workloads that depend on Docker Engine",
		},
	}
	return mutate.ConfigFile(img, cf)
}

// imageFilesystem is the image's only layer, as a tar: the binary, the
// nonroot account (so that tools that look the user up find a name and a
// home) and the directories a run needs.
func imageFilesystem(binary []byte, date time.Time) ([]byte, error) {
	const nonroot = 65532
	entries := []struct {
		name     string
		dir      bool
		mode     int64
		uid, gid int
		data     []byte
	}{
		{name: "etc/", dir: true, mode: 0o755},
		{name: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "home/", dir: true, mode: 0o755},
		{name: "home/nonroot/", dir: true, mode: 0o700, uid: nonroot, gid: nonroot},
		{name: "src/", dir: true, mode: 0o755},
		{name: "tmp/", dir: true, mode: 0o1777},
		{name: "usr/", dir: true, mode: 0o755},
		{name: "usr/local/", dir: true, mode: 0o755},
		{name: "usr/local/bin/", dir: true, mode: 0o755},
		{name: imageBinary[1:], mode: 0o755, data: binary},
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     e.name,
			Mode:     e.mode,
			Uid:      e.uid,
			Gid:      e.gid,
			Size:     int64(len(e.data)),
			ModTime:  date,
			Format:   tar.FormatPAX,
		}
		if e.dir {
			hdr.Typeflag = tar.TypeDir
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
