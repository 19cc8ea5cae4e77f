#!/usr/bin/env bash
# Rebuilds schema/static/graphiql/vendor/ from the npm packages pinned below:
# their prebuilt browser bundles (UMD) and licence files, copied as shipped
# except that the sourceMappingURL comment is dropped (the maps are not
# shipped, and a browser would otherwise ask for them). Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=schema/static/graphiql/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"name":"graphiql-build","private":true}' > "$work/package.json"
(cd "$work" && npm install --no-save --no-audit --no-fund --package-lock=false \
  graphiql@3.8.3 @graphiql/plugin-explorer@3.2.6 react@18.3.1 react-dom@18.3.1 \
  graphql-ws@5.16.2 graphql@16.9.0 >/dev/null)
nm="$work/node_modules"
rm -rf "$dest"
mkdir -p "$dest/licenses"
strip_map() { sed -e '/^\/\/# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$1" > "$2"; }
strip_map "$nm/react/umd/react.production.min.js" "$dest/react.production.min.js"
strip_map "$nm/react-dom/umd/react-dom.production.min.js" "$dest/react-dom.production.min.js"
strip_map "$nm/graphiql/graphiql.min.js" "$dest/graphiql.min.js"
strip_map "$nm/graphiql/graphiql.min.css" "$dest/graphiql.min.css"
strip_map "$nm/@graphiql/plugin-explorer/dist/index.umd.js" "$dest/plugin-explorer.umd.js"
strip_map "$nm/@graphiql/plugin-explorer/dist/style.css" "$dest/plugin-explorer.css"
strip_map "$nm/graphql-ws/umd/graphql-ws.min.js" "$dest/graphql-ws.min.js"
for pkg in react react-dom graphiql @graphiql/plugin-explorer graphql-ws; do
  name=$(echo "$pkg" | tr '/@' '-_' | sed 's/^_//')
  for f in LICENSE LICENSE.md license; do
    if [ -f "$nm/$pkg/$f" ]; then cp "$nm/$pkg/$f" "$dest/licenses/$name.LICENSE"; break; fi
  done
  if [ ! -f "$dest/licenses/$name.LICENSE" ] && [ "$pkg" = @graphiql/plugin-explorer ]; then
    # the package ships none; it is MIT (its package.json) from the graphiql monorepo
    cp "$nm/graphiql/LICENSE" "$dest/licenses/$name.LICENSE"
  fi
  [ -f "$dest/licenses/$name.LICENSE" ] || { echo "no licence file in $pkg" >&2; exit 1; }
done
(cd "$dest" && sha256sum ./*.js ./*.css > SHA256SUMS)
echo "rebuilt $dest"
