#!/usr/bin/env bash
# Builds the pause image as an OCI layout by hand (one gzip layer holding a
# static /pause) and pushes it to <registry>/devbox/pause:3.10 with skopeo.
# Skipped when the registry already has an image whose devbox.recipe label
# equals the hash of this script + pause.c.
set -euo pipefail
registry="${1:?usage: build.sh <registry host:port>}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ref="$registry/devbox/pause:3.10"
recipe=$(cat "$here/build.sh" "$here/pause.c" | sha256sum | cut -c1-16)

have=$(skopeo inspect --tls-verify=false "docker://$ref" 2>/dev/null | jq -r '.Labels["devbox.recipe"] // empty' || true)
if [[ $have == "$recipe" ]]; then
  echo "    pause image $ref is up to date (recipe $recipe)"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs" "$work/oci/blobs/sha256"
gcc -static -Os -Wall -Werror -o "$work/rootfs/pause" "$here/pause.c"
strip "$work/rootfs/pause"

put_blob() { # file -> digest (sha256:...), stored in the layout
  local d; d=$(sha256sum "$1" | cut -d' ' -f1)
  cp "$1" "$work/oci/blobs/sha256/$d"; echo "sha256:$d"
}
size() { stat -c %s "$1"; }

# Reproducible layer: fixed order, owner and mtime.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/rootfs" -cf "$work/layer.tar" pause
diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
gzip -n -9 "$work/layer.tar"
layer=$(put_blob "$work/layer.tar.gz")

jq -cn --arg diff "$diff_id" --arg recipe "$recipe" '{
  architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
  config: {Entrypoint: ["/pause"], User: "65535:65535", Labels: {"devbox.recipe": $recipe}},
  rootfs: {type: "layers", diff_ids: [$diff]},
  history: [{created: "1970-01-01T00:00:00Z", created_by: "gcc -static pause.c (cluster/images/pause)"}]
}' >"$work/config.json"
config=$(put_blob "$work/config.json")

jq -cn --arg c "$config" --argjson cs "$(size "$work/config.json")" \
  --arg l "$layer" --argjson ls "$(size "$work/layer.tar.gz")" '{
  schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]
}' >"$work/manifest.json"
manifest=$(put_blob "$work/manifest.json")

echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"
jq -cn --arg m "$manifest" --argjson ms "$(size "$work/manifest.json")" '{
  schemaVersion: 2,
  manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
               annotations: {"org.opencontainers.image.ref.name": "3.10"}}]
}' >"$work/oci/index.json"

skopeo copy -q --dest-tls-verify=false "oci:$work/oci:3.10" "docker://$ref"
echo "    pushed $ref (recipe $recipe, $(size "$work/layer.tar.gz") bytes layer)"
