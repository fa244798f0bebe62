package uploadsign

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
)

func benchValues() url.Values {
	return url.Values{
		"timestamp": {"1700000000"},
		"public_id": {"users/42/avatar"},
		"folder":    {"avatars"},
		"tags":      {"avatar,profile"},
		"context":   {"alt=A user & their cat|caption=hello"},
	}
}

func BenchmarkSignValues(b *testing.B) {
	params := benchValues()
	b.Run("uploadsign", func(b *testing.B) {
		s := newSigner(b, testSecret)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s.SignValues(params)
		}
	})
	b.Run("cloudinary-go", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := api.SignParameters(params, testSecret); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSign(b *testing.B) {
	folder, tags, context := "avatars", []string{"avatar", "profile"}, map[string]string{"app": "web", "alt": "A user & their cat"}
	b.Run("uploadsign", func(b *testing.B) {
		s := newSigner(b, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1,
			Params: Params{PublicID: "users/{owner}/avatar", Folder: folder, Tags: tags, Context: context}}))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := s.Sign("avatar", 1, Request{Owner: "42"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cloudinary-go", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			params, err := api.StructToParams(uploader.UploadParams{
				PublicID: "users/42/avatar", Folder: folder, Tags: tags, Context: context,
				Timestamp: testTime.Unix(),
			})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := api.SignParameters(params, testSecret); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSignParallel(b *testing.B) {
	s := newSigner(b, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1,
		Params: Params{PublicID: "users/{owner}/avatar", Folder: "avatars", Tags: []string{"avatar", "profile"}, Context: map[string]string{"app": "web"}}}))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Sign("avatar", 1, Request{Owner: "42"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerifyUploadResult(b *testing.B) {
	s := newSigner(b, testSecret)
	sig := s.SignValues(url.Values{"public_id": {"users/42/avatar"}, "version": {"1700000000"}})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := s.VerifyUploadResult("users/42/avatar", 1700000000, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStringToSignKeys shows that StringToSign sorts in O(n log n):
// 32 times the keys cost well under 100 times as much (an insertion sort
// took about 350 times as much, 0.85 s for 32,000 keys).
func BenchmarkStringToSignKeys(b *testing.B) {
	for _, n := range []int{1000, 32000} {
		params := make(url.Values, n)
		for i := range n {
			params[fmt.Sprintf("k%06d", (i*7919)%n)] = []string{"v"}
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				StringToSign(params, 2)
			}
		})
	}
}
