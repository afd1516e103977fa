#pragma once
// Finds where each HTTP/1.x request begins and ends in a client's byte stream (for the
// http.fault toxic), with the http-parser library: no HTTP parsing of our own. Once the
// stream is not HTTP (or the toxic arrived mid-request), it says so and stays out.
#include <http_parser.h>

#include <cstddef>
#include <functional>

namespace faultline::proxy {

class HttpRequestSplitter {
 public:
  HttpRequestSplitter();
  // Calls `segment(length, starts_request, ends_request)` for consecutive pieces of
  // `data` that together cover all of it; a piece never spans two requests. Returns
  // false (and calls nothing) once the stream is not HTTP.
  bool split(const char* data, size_t size, const std::function<void(size_t, bool, bool)>& segment);
  bool broken() const { return broken_; }

 private:
  static int on_message_begin(http_parser* parser);
  static int on_message_complete(http_parser* parser);

  http_parser parser_;
  http_parser_settings settings_;
  bool in_request_ = false;
  bool began_ = false;
  bool broken_ = false;
};

}  // namespace faultline::proxy
