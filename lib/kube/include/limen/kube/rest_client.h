// The name client.h refers to: HttpClient and ListAll live in http_client.h and list_all.h.
#pragma once

#include "limen/kube/http_client.h"  // IWYU pragma: export
#include "limen/kube/list_all.h"     // IWYU pragma: export
