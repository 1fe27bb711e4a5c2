#!/usr/bin/env bash
# Tags a release. The release workflow (.github/workflows/release.yml) does the rest when the
# tag is pushed: it verifies the tag, runs .ci/run, publishes the GitHub release and moves the
# major tag.
#
#   scripts/release.sh X.Y.Z          check everything, create the annotated tag vX.Y.Z
#   scripts/release.sh X.Y.Z --push   ... and push it to origin
#
# Before: set the version in package.json (npm version --no-git-tag-version X.Y.Z), turn
# "## [X.Y.Z] - Unreleased" in CHANGELOG.md into "## [X.Y.Z] - YYYY-MM-DD", rebuild dist/
# (npm run build), and merge all of it to the default branch.
set -euo pipefail

usage() {
  echo "usage: scripts/release.sh X.Y.Z [--push]" >&2
  exit 2
}
die() {
  echo "release: $*" >&2
  exit 1
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
version=${1#v}
push=false
if [ $# -eq 2 ]; then
  [ "$2" = --push ] || usage
  push=true
fi
[[ "$version" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]] ||
  die "$version is not a semantic version (X.Y.Z or X.Y.Z-rc.N)"
tag="v$version"

cd "$(dirname "${BASH_SOURCE[0]}")/.."

branch=$(git symbolic-ref --quiet --short refs/remotes/origin/HEAD 2>/dev/null || echo origin/main)
branch=${branch#origin/}
[ "$(git rev-parse --abbrev-ref HEAD)" = "$branch" ] || die "check out $branch first (releases are tagged on the default branch)"
[ -z "$(git status --porcelain --untracked-files=no)" ] || die "the work tree has uncommitted changes"
git fetch --quiet --tags origin "$branch"
[ "$(git rev-parse HEAD)" = "$(git rev-parse "origin/$branch")" ] || die "HEAD is not origin/$branch: pull or push first"
! git rev-parse --quiet --verify "refs/tags/$tag" >/dev/null || die "the tag $tag exists already"

package_version=$(node -p 'require("./package.json").version')
[ "$package_version" = "$version" ] || die "package.json has version $package_version: run npm version --no-git-tag-version $version"
grep -Eq "^## \[${version//./\\.}\] - [0-9]{4}-[0-9]{2}-[0-9]{2}\$" CHANGELOG.md ||
  die "CHANGELOG.md has no section '## [$version] - YYYY-MM-DD'"

echo "release: rebuilding dist/ to check that the committed one is current"
npm run --silent build >/dev/null
[ -z "$(git status --porcelain --untracked-files=all -- dist/)" ] ||
  die "dist/ is stale: commit the output of npm run build first (git checkout -- dist/ to undo the rebuild)"

git tag --annotate "$tag" --message "$tag"
echo "release: created the tag $tag at $(git rev-parse --short HEAD)"
if [ "$push" = true ]; then
  git push origin "refs/tags/$tag"
  echo "release: pushed $tag; the release workflow takes it from here"
else
  echo "release: push it with: git push origin refs/tags/$tag"
fi
