#pragma once
// HTTP for the local target, through libcurl.
#include "runner/core/target.h"

namespace faultline {

// One request on a fresh connection that is not reused: a probe stands for a new
// client, and a pooled connection would hide a listener that stopped accepting.
// Fails (with curl's reason) when no response arrived within the timeout.
Result<HttpResponse> http_request(const HttpRequest& request);

// Checks an http:// or https:// URL and returns its host and port (80/443 when none is
// written). The error says what is wrong with it.
Result<Endpoint> http_url_endpoint(const std::string& url);

}  // namespace faultline
