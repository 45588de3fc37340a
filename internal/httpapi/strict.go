package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/errs"
)

// checkStrictJSON walks a request body before it is decoded into dst's type
// and rejects what encoding/json would quietly accept: keys that match a
// field only case-insensitively ("ROLE" for "role"), duplicate keys, NUL
// characters (PostgreSQL cannot store them), invalid UTF-8, and timestamps
// that are not RFC 3339. Errors name the field by its dotted path.
func checkStrictJSON(body []byte, dst any) error {
	if !utf8.Valid(body) {
		return errs.Invalid("body", "invalid_utf8", "the body is not valid UTF-8")
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return errs.Invalid("body", "invalid", "the body contains a NUL byte")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := walker{dec: dec}
	err := w.value(reflect.TypeOf(dst), "")
	if err == io.EOF {
		return errs.Invalid("body", "malformed", "the body is empty or cut short")
	}
	if _, ok := err.(*errs.ValidationError); ok || err == nil {
		return err
	}
	return nil // syntax problems are reported by the real decode with offsets
}

type walker struct{ dec *json.Decoder }

var (
	timeType    = reflect.TypeOf(time.Time{})
	rawJSONType = reflect.TypeOf(json.RawMessage{})
)

// deref strips pointers and patch.Field-like wrappers (a struct with fields
// Set, Null and V) down to the type the JSON value maps to.
func deref(t reflect.Type) reflect.Type {
	for t != nil {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case t.Kind() == reflect.Struct && t.NumField() == 3 && t.Field(0).Name == "Set" && t.Field(1).Name == "Null" && t.Field(2).Name == "V":
			t = t.Field(2).Type
		default:
			return t
		}
	}
	return t
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonFields maps a struct's JSON keys to field types, following embedded
// structs as encoding/json does.
func jsonFields(t reflect.Type, out map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				jsonFields(ft, out)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
}

func (w *walker) value(t reflect.Type, path string) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	t = deref(t)
	field := path
	if field == "" {
		field = "body"
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return w.object(t, path)
		case '[':
			var elem reflect.Type
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t != rawJSONType {
				elem = t.Elem()
			}
			for i := 0; w.dec.More(); i++ {
				if err := w.value(elem, fmt.Sprintf("%s[%d]", field, i)); err != nil {
					return err
				}
			}
			_, err := w.dec.Token()
			return err
		}
	case string:
		if strings.ContainsRune(v, 0) {
			return errs.Invalid(field, "invalid", "NUL characters are not allowed")
		}
		if t == timeType {
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				return errs.Invalid(field, "wrong_type", "expected an RFC 3339 time such as 2026-01-31T09:00:00Z")
			}
		}
	}
	return nil
}

func (w *walker) object(t reflect.Type, path string) error {
	var fields map[string]reflect.Type
	isStruct := t != nil && t.Kind() == reflect.Struct && t != timeType
	if isStruct {
		fields = map[string]reflect.Type{}
		jsonFields(t, fields)
	}
	var elem reflect.Type
	if t != nil && t.Kind() == reflect.Map {
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		name := join(path, key)
		if strings.ContainsRune(key, 0) {
			return errs.Invalid(path+"(key)", "invalid", "NUL characters are not allowed in keys")
		}
		if seen[key] {
			return errs.Invalid(name, "duplicate_field", "field %q appears twice", key)
		}
		seen[key] = true
		next := elem
		if isStruct {
			ft, ok := fields[key]
			if !ok {
				for k := range fields {
					if strings.EqualFold(k, key) {
						return errs.Invalid(name, "unknown_field", "unknown field %q (did you mean %q? keys are case-sensitive)", key, k)
					}
				}
				return errs.Invalid(name, "unknown_field", "unknown field %q", key)
			}
			next = ft
		}
		if err := w.value(next, name); err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return err
}
