package importer_test

import (
	"fmt"
	"reflect"
	"strings"
)

// fmtAny prints a struct with pointers dereferenced.
func fmtAny(v any) string {
	rv := reflect.ValueOf(v)
	var b strings.Builder
	for i := range rv.NumField() {
		f := rv.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				fmt.Fprintf(&b, "%s=nil ", rv.Type().Field(i).Name)
				continue
			}
			f = f.Elem()
		}
		fmt.Fprintf(&b, "%s=%v ", rv.Type().Field(i).Name, f)
	}
	return b.String()
}
