// ListAll: every page of a List, following continue tokens (client-go's pager).
//
// The first page is requested with `opts` as given; the following pages carry only the
// continue token (the apiserver rejects a resourceVersion together with `continue`). If a
// continue token has expired (410) the list restarts once without pagination, as
// client-go's pager does. The result's resource_version is that of the first page, which
// every page shares.
//
// Thread-safety: as safe as `client` (HttpClient: safe for concurrent use).
#pragma once

#include <string>

#include "limen/kube/client.h"

namespace limen::kube {

ApiResult<ObjectList> ListAll(Client& client, const Resource& r, const std::string& ns,
                              const ListOptions& opts = {});

}  // namespace limen::kube
