package uploadsign

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestJSNumber(t *testing.T) {
	// Number.prototype.toString, as the ECMAScript specification writes
	// these values.
	for v, want := range map[float64]string{
		1: "1", 0.5: "0.5", 1e21: "1e+21", 1e20: "100000000000000000000", 1e-7: "1e-7", 1e-6: "0.000001",
		123e-20: "1.23e-18", 1.5e300: "1.5e+300", -2.5: "-2.5", 0.1: "0.1", 100: "100", math.Copysign(0, -1): "0",
		-1e-7: "-1e-7", 5e-324: "5e-324", 1.7976931348623157e308: "1.7976931348623157e+308",
	} {
		if got := jsNumber(v); got != want {
			t.Errorf("jsNumber(%v) = %q, want %q", v, got, want)
		}
	}
}

// FuzzJSNumber: jsNumber writes every finite float64 as encoding/json
// writes it (both follow ES6's Number.prototype.toString), but -0 as "0".
func FuzzJSNumber(f *testing.F) {
	for _, v := range []float64{0, 1, 0.5, 1e21, 1e-7, 1e-6, 123e-20, -2.5, 1e20, 999999999999999999999, 1e-5} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 {
			return
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsNumber(v); got != string(want) {
			t.Errorf("jsNumber(%v) = %q, encoding/json %q", v, got, want)
		}
	})
}

func TestKeysInJavaScriptOrder(t *testing.T) {
	got := strings.Join(jsKeys(map[string]string{"b": "", "10": "", "9": "", "01": "", "a": "", "4294967295": ""}), " ")
	if want := "9 10 01 4294967295 a b"; got != want {
		t.Errorf("jsKeys = %q, want %q", got, want)
	}
}

func TestValidParamName(t *testing.T) {
	for name, want := range map[string]bool{"public_id": true, "public_id2": true, "a": true,
		"Public_id": false, "2a": false, "": false, "a-b": false, "a&b": false, "_a": false} {
		if validParamName(name) != want {
			t.Errorf("validParamName(%q) = %v", name, !want)
		}
	}
}
