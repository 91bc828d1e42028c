package config

// Default gives a setting its default when it is unset: options structs
// take 0 (or anything below) to mean "the default", as in
// Default(&o.MaxConns, DefaultMaxConns).
func Default[T ~int | ~int64 | ~float64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
