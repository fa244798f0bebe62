package uploadsign

import (
	"cmp"
	"slices"
	"strings"
)

// A shape is a set of public_ids a parameter set's uploads can have, read
// a path segment at a time: [Signer.OwnerOf] finds the set, and the owner,
// of a public_id by its shape, and [New] refuses two sets of different
// names whose shapes overlap.
type shape struct {
	segs  []segment
	more  bool // one or more segments of any text follow segs
	owner int  // the index of the segment that ends with the owner; -1 for none
}

// segment is one path segment: text, or, if wild, text followed by one or
// more characters (the owner, or a name Cloudinary or the browser makes).
type segment struct {
	text string
	wild bool
}

// makeShapes returns the shapes of cs's public_ids: PREFIX/NAME for each
// PREFIX the set binds (see prefixes), p being the set's parameters with
// "{owner}" in its place. A PREFIX or NAME the browser chooses is any
// text; a NAME Cloudinary or a single-use set makes is one segment.
func (cs *compiledSet) makeShapes(p *Params) []shape {
	listed := cs.listed
	var name shape
	switch {
	case p.PublicID != "":
		name = pathShape(p.PublicID)
	case listed("public_id") || listed("filename_override") || p.FilenameOverride != "" ||
		listed("use_filename") || p.UseFilename != nil && *p.UseFilename:
		name = shape{more: true, owner: -1} // the browser's name, or its file's
	default:
		name = shape{segs: []segment{{wild: true}}, owner: -1} // Cloudinary's random name, or the set's
	}
	useAssetFolder := listed("use_asset_folder_as_public_id_prefix") ||
		p.UseAssetFolderAsPublicIDPrefix != nil && *p.UseAssetFolderAsPublicIDPrefix
	if listed("folder") || listed("public_id_prefix") || listed("asset_folder") && useAssetFolder {
		return []shape{{more: true, owner: -1}} // anywhere
	}
	var prefixes []string
	if p.Folder != "" {
		prefixes = append(prefixes, p.Folder)
	}
	switch {
	case p.PublicIDPrefix != "":
		prefixes = append(prefixes, p.PublicIDPrefix)
	case p.AssetFolder != "" && useAssetFolder:
		prefixes = append(prefixes, p.AssetFolder)
	}
	if len(prefixes) == 0 {
		return []shape{name}
	}
	shapes := make([]shape, len(prefixes))
	for i, prefix := range prefixes {
		sh := pathShape(prefix)
		if name.owner >= 0 {
			sh.owner = len(sh.segs) + name.owner
		}
		sh.segs = append(sh.segs, name.segs...)
		sh.more = name.more
		shapes[i] = sh
	}
	return shapes
}

// pathShape reads a path that may hold "{owner}" at the end of a segment.
func pathShape(path string) shape {
	sh := shape{owner: -1}
	for seg := range strings.SplitSeq(path, "/") {
		text, isOwner := strings.CutSuffix(seg, ownerPlaceholder)
		if isOwner {
			sh.owner = len(sh.segs)
		}
		sh.segs = append(sh.segs, segment{text: text, wild: isOwner})
	}
	return sh
}

// match reports whether id has shape sh, and returns the owner's text.
func (sh *shape) match(id string) (owner string, ok bool) {
	segs := strings.Split(id, "/")
	if len(segs) < len(sh.segs) || len(segs) > len(sh.segs) && !sh.more || len(segs) == len(sh.segs) && sh.more {
		return "", false
	}
	for i, seg := range sh.segs {
		if !seg.matches(segs[i]) {
			return "", false
		}
	}
	if sh.owner >= 0 {
		owner = segs[sh.owner][len(sh.segs[sh.owner].text):]
	}
	return owner, true
}

// describe writes sh with owner in its place, "*" for a name Cloudinary
// or the browser makes, and "/…" for any further segments.
func (sh *shape) describe(owner string) string {
	parts := make([]string, len(sh.segs))
	for i, seg := range sh.segs {
		switch {
		case i == sh.owner:
			parts[i] = seg.text + owner
		case seg.wild:
			parts[i] = seg.text + "*"
		default:
			parts[i] = seg.text
		}
	}
	if sh.more {
		parts = append(parts, "…")
	}
	return strings.Join(parts, "/")
}

func (seg segment) matches(s string) bool {
	if seg.wild {
		return len(s) > len(seg.text) && strings.HasPrefix(s, seg.text)
	}
	return s == seg.text
}

// overlaps reports whether some public_id has both shapes, and returns an
// example of one.
func (sh *shape) overlaps(other *shape) (example string, ok bool) {
	a, b := sh, other
	if len(a.segs) > len(b.segs) {
		a, b = b, a
	}
	switch n := len(a.segs); {
	case n < len(b.segs) && !a.more: // b is longer
		return "", false
	case n == len(b.segs) && a.more != b.more:
		return "", false
	}
	parts := make([]string, 0, len(b.segs)+1)
	for i, segB := range b.segs {
		if i >= len(a.segs) {
			parts = append(parts, segB.example())
			continue
		}
		segA := a.segs[i]
		switch {
		case !segA.wild && !segB.wild && segA.text != segB.text,
			!segA.wild && segB.wild && !segB.matches(segA.text),
			segA.wild && !segB.wild && !segA.matches(segB.text),
			segA.wild && segB.wild && !strings.HasPrefix(segA.text, segB.text) && !strings.HasPrefix(segB.text, segA.text):
			return "", false
		case !segA.wild:
			parts = append(parts, segA.text)
		case !segB.wild:
			parts = append(parts, segB.text)
		default:
			parts = append(parts, max(segA.text, segB.text)+"x") // the longer text starts with the other
		}
	}
	if a.more && b.more {
		parts = append(parts, "x")
	}
	return strings.Join(parts, "/"), true
}

func (seg segment) example() string {
	if seg.wild {
		return seg.text + "x"
	}
	return seg.text
}

// overlaps reports whether cs and other could make one asset: the same
// type and public_id, whatever the resource type (Cloudinary does not sign
// it: the browser picks it by the URL it posts to); it returns the asset.
func (cs *compiledSet) overlaps(other *compiledSet) (string, bool) {
	if cs.deliveryType() != other.deliveryType() {
		return "", false
	}
	for i := range cs.shapes {
		for j := range other.shapes {
			if id, ok := cs.shapes[i].overlaps(&other.shapes[j]); ok {
				return cs.deliveryType() + "/" + id, true
			}
		}
	}
	return "", false
}

// equal reports whether sh and other are the same public_ids, the owner
// in the same place.
func (sh shape) equal(other shape) bool {
	return sh.more == other.more && sh.owner == other.owner && slices.Equal(sh.segs, other.segs)
}

// deliveryType is the type of the set's uploads: the one it fixes, else
// "upload" (a browser may not choose it).
func (cs *compiledSet) deliveryType() string {
	return cmp.Or(templateValue(cs.fixed, "type"), "upload")
}
