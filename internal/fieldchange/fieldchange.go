// Package fieldchange helps test that a function of a request — its
// idempotency fingerprint, above all — reads every field: Each yields, for
// every field a request holds (nested structs, slice elements and maps
// included), a copy of the request with that one field changed. A field
// added later is covered without anyone listing it.
package fieldchange

import (
	"fmt"
	"iter"
	"reflect"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Each yields, for each field path of base (for example "Amount.Currency",
// "Postings[0].Side", "Metadata"), a copy of base with only that field
// changed. base is filled first so that no field is zero: a change from the
// zero value and a change from a set value are both changes. Fields whose
// path is in skip are left alone (the idempotency key itself, say).
func Each[T any](base T, skip ...string) iter.Seq2[string, T] {
	return func(yield func(string, T) bool) {
		filled := base
		fill(reflect.ValueOf(&filled).Elem())
		for _, path := range paths(reflect.TypeFor[T](), "") {
			if slices.Contains(skip, path.name) {
				continue
			}
			changed := clone(filled)
			path.change(reflect.ValueOf(&changed).Elem())
			if !yield(path.name, changed) {
				return
			}
		}
	}
}

// Filled returns base with every field set to a non-zero value, as Each
// starts from.
func Filled[T any](base T) T {
	fill(reflect.ValueOf(&base).Elem())
	return base
}

var (
	decimalType = reflect.TypeFor[decimal.Decimal]()
	timeType    = reflect.TypeFor[time.Time]()
)

// leaf reports whether t is changed as a whole rather than field by field.
func leaf(t reflect.Type) bool {
	return t == decimalType || t == timeType || t.Kind() != reflect.Struct
}

type fieldPath struct {
	name   string
	change func(v reflect.Value) // v is the whole request
}

// paths lists the changeable fields of t under prefix.
func paths(t reflect.Type, prefix string) []fieldPath {
	if leaf(t) {
		if t.Kind() == reflect.Slice && leaf(t.Elem()) {
			return []fieldPath{{prefix, change}}
		}
		if t.Kind() == reflect.Slice {
			// Each field of the first element, and the length.
			out := []fieldPath{{prefix, func(v reflect.Value) { v.Set(reflect.Append(v, v.Index(0))) }}}
			for _, p := range paths(t.Elem(), prefix+"[0]") {
				out = append(out, fieldPath{p.name, func(v reflect.Value) { p.change(v.Index(0)) }})
			}
			return out
		}
		return []fieldPath{{prefix, change}}
	}
	var out []fieldPath
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if prefix != "" {
			name = prefix + "." + f.Name
		}
		for _, p := range paths(f.Type, name) {
			out = append(out, fieldPath{p.name, func(v reflect.Value) { p.change(v.Field(i)) }})
		}
	}
	return out
}

// fill sets every zero leaf of v to a value of its own.
func fill(v reflect.Value) {
	t := v.Type()
	switch {
	case t == decimalType:
		if v.Interface().(decimal.Decimal).IsZero() {
			v.Set(reflect.ValueOf(decimal.RequireFromString("12.34")))
		}
	case t == timeType:
		if v.Interface().(time.Time).IsZero() {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)))
		}
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case t.Kind() == reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(t, 1, 1))
		}
		for i := range v.Len() {
			fill(v.Index(i))
		}
	case t.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		fill(v.Elem())
	case v.IsZero():
		change(v)
	}
}

// change sets v to a value different from its own.
func change(v reflect.Value) {
	t := v.Type()
	switch {
	case t == decimalType:
		v.Set(reflect.ValueOf(v.Interface().(decimal.Decimal).Add(decimal.NewFromInt(1))))
	case t == timeType:
		v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Hour)))
	}
	if t == decimalType || t == timeType {
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(v.Uint() + 1)
	case reflect.Array:
		change(v.Index(v.Len() - 1))
	case reflect.Map:
		m := reflect.MakeMap(t)
		for _, k := range v.MapKeys() {
			m.SetMapIndex(k, v.MapIndex(k))
		}
		k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		for fill(k); m.MapIndex(k).IsValid(); {
			change(k) // until it is a key the map does not hold
		}
		fill(e)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Slice:
		v.Set(reflect.Append(v, v.Index(0)))
	case reflect.Pointer:
		v.Set(reflect.Zero(t))
	default:
		panic(fmt.Sprintf("fieldchange: cannot change a %s", t))
	}
}

// clone copies v deeply enough that changing the copy's slices and maps
// leaves v as it was.
func clone[T any](v T) T {
	out := reflect.New(reflect.TypeFor[T]()).Elem()
	deepCopy(out, reflect.ValueOf(v))
	return out.Interface().(T)
}

func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeMap(src.Type()))
		for _, k := range src.MapKeys() {
			dst.SetMapIndex(k, src.MapIndex(k))
		}
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.New(src.Type().Elem()))
		deepCopy(dst.Elem(), src.Elem())
	case reflect.Struct:
		if src.Type() == decimalType || src.Type() == timeType {
			dst.Set(src)
			return
		}
		for i := range src.NumField() {
			if src.Type().Field(i).IsExported() {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}
