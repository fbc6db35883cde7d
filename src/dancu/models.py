"""Every context's tables, imported in one place so Alembic and the tests see the whole schema."""

from __future__ import annotations

from dancu.adminunit import models as _adminunit  # noqa: F401
from dancu.audit import models as _audit  # noqa: F401
from dancu.auth import models as _auth  # noqa: F401
from dancu.card import models as _card  # noqa: F401
from dancu.gateway import models as _gateway  # noqa: F401
from dancu.idnumber import models as _idnumber  # noqa: F401
from dancu.jobs import models as _jobs  # noqa: F401
from dancu.kit.db import Base
from dancu.linkage import models as _linkage  # noqa: F401
from dancu.registry import events as _events  # noqa: F401
from dancu.registry.household import models as _household  # noqa: F401
from dancu.registry.importer import models as _importer  # noqa: F401
from dancu.registry.person import models as _person  # noqa: F401
from dancu.registry.residence import models as _residence  # noqa: F401

metadata = Base.metadata
