#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pgdrift::util {

// One HTTP request. Header values may hold a credential (Authorization): the client never puts a
// header into an error message, and callers must not either.
struct HttpRequest {
  std::string method = "GET";  // GET, POST, PATCH, …
  std::string url;             // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;            // sent as is (with POST/PATCH/PUT), e.g. JSON
  std::chrono::milliseconds timeout{30000};  // the whole exchange, connecting included
};

struct HttpResponse {
  long status = 0;                             // 200, 403, …
  std::map<std::string, std::string> headers;  // names lowercased; a repeated header keeps its last value
  std::string body;
};

// The HTTP seam: make_http_client() is the real one (libcurl); tests answer from a script.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends `request` and returns the response, whatever its status. Throws pgdrift::Error
  // (infrastructure) when no complete response arrived (refused, DNS, TLS verification, timeout,
  // a body over 16 MiB); the message names the method, the URL without its query and the reason.
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

// libcurl: TLS certificates and host names verified, proxies from the environment exactly as
// libcurl reads them (http_proxy, https_proxy/HTTPS_PROXY, all_proxy, no_proxy), redirects not
// followed, http and https only, a 10 s connect timeout within the request's own.
std::unique_ptr<HttpClient> make_http_client();

}  // namespace pgdrift::util
