#include "runner/os/http_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace faultline {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Body {
  std::string* text;
  size_t limit;
  bool full = false;  // the limit was reached and the transfer stopped there
};

// Stops the transfer once the limit is reached: reading on would make a big (or endless)
// body cost the whole timeout, and a healthy server look down.
size_t collect_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t bytes = size * count;
  size_t room = body->text->size() < body->limit ? body->limit - body->text->size() : 0;
  body->text->append(data, std::min(room, bytes));
  if (bytes <= room) return bytes;
  body->full = true;
  return 0;  // curl ends the transfer with CURLE_WRITE_ERROR
}

}  // namespace

Result<HttpResponse> http_request(const HttpRequest& request) {
  init_curl_once();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Error{"curl_easy_init failed"};
  HttpResponse response;
  Body body{&response.body, request.body_limit};
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  for (const auto& [name, value] : request.headers) {
    headers.reset(curl_slist_append(headers.release(), (name + ": " + value).c_str()));
  }
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  if (!request.body.empty()) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.c_str());
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(handle, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &body);
  CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && body.full)) {
    return Error{curl_easy_strerror(code)};
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Result<Endpoint> http_url_endpoint(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Error{ErrorCode::invalid, "url must start with http:// or https://"};
  }
  init_curl_once();
  std::unique_ptr<CURLU, void (*)(CURLU*)> parsed(curl_url(), curl_url_cleanup);
  if (!parsed) return Error{"curl_url failed"};
  if (CURLUcode code = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0);
      code != CURLUE_OK) {
    return Error{ErrorCode::invalid, std::string("invalid url: ") + curl_url_strerror(code)};
  }
  auto part = [&](CURLUPart which, unsigned flags) -> std::string {
    char* value = nullptr;
    if (curl_url_get(parsed.get(), which, &value, flags) != CURLUE_OK || value == nullptr)
      return "";
    std::string out = value;
    curl_free(value);
    return out;
  };
  Endpoint endpoint;
  endpoint.host = part(CURLUPART_HOST, 0);
  if (endpoint.host.size() > 2 && endpoint.host.front() == '[') {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  std::string port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  endpoint.port = port.empty() ? 0 : std::atoi(port.c_str());
  if (endpoint.host.empty()) return Error{ErrorCode::invalid, "url has no host"};
  return endpoint;
}

}  // namespace faultline
