# jq functions over a CRD's openAPIV3Schema, shared by the CRD tests. Include with
#   jq -L crds/test 'include "schema"; ...'

# fields($path): every field of a schema as {path, node}; list items and map values are
# transparent (kubectl explain addresses `spec.upstreams.port`, not `spec.upstreams[].port`).
def fields($path):
  (.properties // {} | to_entries[] | .key as $k | .value
     | ($path + (if $path == "" then "" else "." end) + $k) as $p
     | {path: $p, node: .}, fields($p)),
  (.items // empty | fields($path)),
  (.additionalProperties // empty | if type == "object" then fields($path) else empty end);

# nodes($path): every schema node, list items and map values included, as {path, node}.
def nodes($path):
  {path: $path, node: .},
  (.properties // {} | to_entries[] | .key as $k | .value | nodes($path + "." + $k)),
  (.items // empty | nodes($path + "[]")),
  (.additionalProperties // empty | if type == "object" then nodes($path + "{}") else empty end);

# missing_defaults($schema; $sent; $path): for the object read back (input), the fields that
# the apiserver should have defaulted — absent from $sent, the object as created — but that
# do not hold the schema's default. Object defaults ({}) only need to be present: their own
# fields' defaults are checked one level down.
def missing_defaults($s; $sent; $path):
  . as $r
  | if ($s.properties != null) and ($r | type) == "object" then
      $s.properties | to_entries[] | .key as $k | .value as $cs
      | ( if ($cs | has("default")) and ((($sent // {}) | has($k)) | not) then
            if ($r | has($k) | not) then "\($path).\($k): absent, want default \($cs.default | tojson)"
            elif ($cs.default | type) != "object" and $r[$k] != $cs.default then
              "\($path).\($k): \($r[$k] | tojson), want default \($cs.default | tojson)"
            else empty end
          else empty end ),
        ( if ($r | has($k)) then $r[$k] | missing_defaults($cs; ($sent // {})[$k]; "\($path).\($k)") else empty end )
    elif ($s.items != null) and ($r | type) == "array" then
      range(0; $r | length) as $i
      | $r[$i] | missing_defaults($s.items; ($sent // [])[$i]; "\($path)[\($i)]")
    else empty end;

# lost($sent): leaves of $sent (the object as created) that the object read back (input)
# does not hold with the same value — pruned or rewritten fields.
def lost($sent):
  . as $r
  | $sent | paths(type != "object" and type != "array" and type != "null") as $p
  | ($sent | getpath($p)) as $want
  | ($r | getpath($p)) as $got
  | select($got != $want)
  | "\($p | map(tostring) | join(".")): sent \($want | tojson), read back \($got | tojson)";
