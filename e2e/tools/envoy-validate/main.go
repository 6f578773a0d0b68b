// envoy-validate checks Envoy v3 bootstrap configurations against Envoy's own API, as
// generated in github.com/envoyproxy/go-control-plane:
//
//   - protojson decoding into envoy.config.bootstrap.v3.Bootstrap with unknown fields
//     rejected (a misspelled or misplaced field fails, as it would in Envoy);
//   - the protoc-gen-validate rules of every message (ValidateAll), including the typed
//     configs inside google.protobuf.Any fields (filters, extensions), which are unpacked
//     and validated recursively.
//
// Usage: envoy-validate FILE... — prints one line per file; exit 1 if any file is invalid.
package main

import (
	"errors"
	"fmt"
	"os"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"

	// Extensions Limen's renderer uses; their types must be registered to resolve Any.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/health_check/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/wasm/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/wasm/v3"
)

type validator interface{ ValidateAll() error }

// validate runs ValidateAll on m and on every message packed in an Any below it.
func validate(m proto.Message, path string) error {
	if v, ok := m.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	var errs []error
	m.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind {
			return true
		}
		sub := path + "." + string(fd.Name())
		switch {
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				errs = append(errs, visit(v.List().Get(i).Message().Interface(), fmt.Sprintf("%s[%d]", sub, i)))
			}
		case fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
					errs = append(errs, visit(mv.Message().Interface(), fmt.Sprintf("%s[%v]", sub, k)))
					return true
				})
			}
		default:
			errs = append(errs, visit(v.Message().Interface(), sub))
		}
		return true
	})
	return errors.Join(errs...)
}

// visit unpacks Any values (failing on unknown type URLs) and descends into messages.
func visit(m proto.Message, path string) error {
	if a, ok := m.(*anypb.Any); ok {
		inner, err := a.UnmarshalNew()
		if err != nil {
			return fmt.Errorf("%s: cannot decode typed config %q: %w", path, a.GetTypeUrl(), err)
		}
		return validate(inner, path+"<"+string(inner.ProtoReflect().Descriptor().FullName())+">")
	}
	return validate(m, path)
}

func check(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var b bootstrapv3.Bootstrap
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(data, &b); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return validate(&b, "bootstrap")
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: envoy-validate FILE...")
		os.Exit(2)
	}
	failed := false
	for _, f := range os.Args[1:] {
		if err := check(f); err != nil {
			fmt.Printf("%s: INVALID: %v\n", f, err)
			failed = true
		} else {
			fmt.Printf("%s: ok\n", f)
		}
	}
	if failed {
		os.Exit(1)
	}
}
