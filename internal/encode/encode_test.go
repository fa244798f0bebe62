package encode

import (
	"strings"
	"testing"
)

func TestJSNumber(t *testing.T) {
	// Number.prototype.toString, as the ECMAScript specification writes
	// these values.
	for v, want := range map[float64]string{
		1: "1", 0.5: "0.5", 1e21: "1e+21", 1e20: "100000000000000000000", 1e-7: "1e-7", 1e-6: "0.000001",
		123e-20: "1.23e-18", 1.5e300: "1.5e+300", -2.5: "-2.5", 0.1: "0.1", 100: "100",
	} {
		if got := JSNumber(v); got != want {
			t.Errorf("JSNumber(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestKeysInJavaScriptOrder(t *testing.T) {
	got := strings.Join(Keys(map[string]string{"b": "", "10": "", "9": "", "01": "", "a": "", "4294967295": ""}), " ")
	if want := "9 10 01 4294967295 a b"; got != want {
		t.Errorf("Keys = %q, want %q", got, want)
	}
}
