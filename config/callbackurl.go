package config

// CheckCallbackURL says what is wrong with a callback URL given to
// Colossyan (an absolute http or https URL), or "" when it will do: the
// config file's callback_url and every other place a URL reaches jobs are
// held to the same rule.
func CheckCallbackURL(v string) string { return checkCallbackURL(v) }
