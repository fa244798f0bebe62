package uploadsigntest

import (
	"cmp"
	"net/http"
	"os"
)

// destroy answers Cloudinary's destroy, POST
// /v1_1/CLOUD/RESOURCE_TYPE/destroy with public_id, type (upload by
// default), invalidate and notification_url, signed as an upload is (the
// official Node SDK's uploader.destroy posts exactly these, with
// timestamp, api_key and signature): it removes the asset, with its
// bytes, and answers {"result": "ok"}, or {"result": "not found"} when
// there is no such asset. A destroyed asset is followed by Cloudinary's
// delete notification, sent to the request's notification_url, else to
// the account's ([WithNotificationURL]).
func (s *Server) destroy(r *http.Request, cloud, resourceType string) (map[string]any, error) {
	switch {
	case r.Method != http.MethodPost:
		return nil, refuse(http.StatusNotFound, "Not found: POST /v1_1/CLOUD_NAME/RESOURCE_TYPE/destroy")
	case cloud != s.cloud:
		return nil, refuse(http.StatusUnauthorized, "Invalid cloud_name %s", cloud)
	case resourceType != "image" && resourceType != "video" && resourceType != "raw":
		return nil, refuse(http.StatusNotFound, "Invalid resource type %s", resourceType)
	}
	req := Upload{Fields: map[string]string{}}
	file, err := s.readForm(r, &req, nil)
	file.discard() // a destroy posts no file
	if err != nil {
		return nil, err
	}
	if f := s.nextFailure(); f != nil {
		return nil, f
	}
	if err := s.checkFields(req.Fields); err != nil {
		return nil, err
	}
	publicID := req.Fields["public_id"]
	if publicID == "" {
		return nil, badRequest("Missing required parameter - public_id")
	}
	a := s.remove(resourceType, cmp.Or(req.Fields["type"], "upload"), publicID)
	if a == nil {
		return map[string]any{"result": "not found"}, nil
	}
	if target := s.notificationTarget(req.Fields); target != "" {
		s.notify(target, deleteNotification(a.response))
	}
	return map[string]any{"result": "ok"}, nil
}

// remove removes an asset, and the bytes of every upload that made or
// met it, which it marks Destroyed; it returns the asset, nil if there is
// none.
func (s *Server) remove(resourceType, deliveryType, publicID string) *asset {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.assets[resourceType+"/"+deliveryType+"/"+publicID]
	if !ok {
		return nil
	}
	delete(s.assets, resourceType+"/"+deliveryType+"/"+publicID)
	a.body.discard()
	for i := range s.uploads {
		u := &s.uploads[i]
		if u.Status != http.StatusOK || u.Response["resource_type"] != resourceType ||
			u.Response["type"] != deliveryType || u.Response["public_id"] != publicID {
			continue
		}
		if u.Path != "" {
			os.Remove(u.Path)
		}
		u.File, u.Path, u.Destroyed = nil, "", true
	}
	return a
}
