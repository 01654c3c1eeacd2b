#!/bin/sh
# Installs a release of dockershim-lint: downloads the archive for this
# machine, checks it against the release's checksums.txt and puts the
# binary in a directory (./bin unless -b says otherwise).
#
#   curl -sSfL https://raw.githubusercontent.com/dockershim-lint/dockershim-lint/main/install.sh | sh -s -- -b /usr/local/bin v0.1.0
#
# DOCKERSHIM_LINT_DOWNLOAD_URL replaces the releases' address (a mirror, or
# a local server in tests): archives are read from URL/VERSION/NAME.
set -eu

usage() {
	cat <<-EOF
		usage: $0 [-b BINDIR] VERSION

		Install dockershim-lint VERSION (a release tag such as v0.1.0) into BINDIR (default ./bin).
	EOF
}

fail() {
	echo "install.sh: $*" >&2
	exit 1
}

bindir=./bin
while getopts b:h opt; do
	case $opt in
	b) bindir=$OPTARG ;;
	h)
		usage
		exit 0
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ]; then
	usage >&2
	exit 2
fi
version=$1
case $version in
v[0-9]*) ;;
*) fail "VERSION must be a release tag such as v0.1.0, not '$version'" ;;
esac

case $(uname -s) in
Linux) os=linux ;;
Darwin) os=darwin ;;
MINGW* | MSYS* | CYGWIN* | Windows_NT) os=windows ;;
*) fail "no release for the operating system $(uname -s)" ;;
esac
case $(uname -m) in
x86_64 | amd64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) fail "no release for the architecture $(uname -m)" ;;
esac

binary=dockershim-lint
ext=tar.gz
if [ "$os" = windows ]; then
	binary=dockershim-lint.exe
	ext=zip
fi
# The archive names the version without its v, as the release does.
archive="dockershim-lint_${version#v}_${os}_${arch}.${ext}"
base="${DOCKERSHIM_LINT_DOWNLOAD_URL:-https://github.com/dockershim-lint/dockershim-lint/releases/download}/$version"

download() {
	if command -v curl >/dev/null 2>&1; then
		curl -sSfL -o "$2" "$1"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1"
	else
		fail "needs curl or wget to download"
	fi || fail "could not download $1"
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d ' ' -f 1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d ' ' -f 1
	else
		fail "needs sha256sum or shasum to check the download"
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "install.sh: downloading $base/$archive"
download "$base/checksums.txt" "$tmp/checksums.txt"
download "$base/$archive" "$tmp/$archive"

want=$(awk -v name="$archive" '$2 == name { print $1 }' "$tmp/checksums.txt")
if [ -z "$want" ]; then
	fail "$archive is not listed in $base/checksums.txt"
fi
got=$(sha256 "$tmp/$archive")
if [ "$got" != "$want" ]; then
	fail "$archive has sha256 $got, but checksums.txt says $want: not installed"
fi

mkdir "$tmp/x"
if [ "$ext" = zip ]; then
	unzip -q "$tmp/$archive" "$binary" -d "$tmp/x"
else
	tar -xzf "$tmp/$archive" -C "$tmp/x" "$binary"
fi
mkdir -p "$bindir"
# install(1) would be neater, but Git Bash on Windows lacks it.
cp "$tmp/x/$binary" "$bindir/$binary.tmp"
chmod 755 "$bindir/$binary.tmp"
mv -f "$bindir/$binary.tmp" "$bindir/$binary"
echo "install.sh: installed $bindir/$binary ($version, $os/$arch, sha256 checked)"
