"""Crisis lines, emergency numbers and support services: the data model and the rules for choosing them.

Pure: the directory is parsed from a mapping the caller loaded; time comes in as a parameter."""

from __future__ import annotations

from bot.domain.resources.local import LOCAL_DESCRIPTION_MAX as LOCAL_DESCRIPTION_MAX
from bot.domain.resources.local import LOCAL_MAX_PER_SERVER as LOCAL_MAX_PER_SERVER
from bot.domain.resources.local import LOCAL_NAME_MAX as LOCAL_NAME_MAX
from bot.domain.resources.local import LOCAL_URL_MAX as LOCAL_URL_MAX
from bot.domain.resources.local import LocalDraft as LocalDraft
from bot.domain.resources.local import LocalResource as LocalResource
from bot.domain.resources.local import local_for_topic as local_for_topic
from bot.domain.resources.local import validate_local as validate_local
from bot.domain.resources.model import FUZZY_CUTOFF as FUZZY_CUTOFF
from bot.domain.resources.model import GENERAL_TOPICS as GENERAL_TOPICS
from bot.domain.resources.model import LINE_TOPICS as LINE_TOPICS
from bot.domain.resources.model import MAX_LINES as MAX_LINES
from bot.domain.resources.model import SELF_HELP_TOPICS as SELF_HELP_TOPICS
from bot.domain.resources.model import SURE_CUTOFF as SURE_CUTOFF
from bot.domain.resources.model import Country as Country
from bot.domain.resources.model import DataError as DataError
from bot.domain.resources.model import Directory as Directory
from bot.domain.resources.model import Emergency as Emergency
from bot.domain.resources.model import Hours as Hours
from bot.domain.resources.model import International as International
from bot.domain.resources.model import Line as Line
from bot.domain.resources.model import Period as Period
from bot.domain.resources.model import Phone as Phone
from bot.domain.resources.model import Sms as Sms
from bot.domain.resources.model import Topic as Topic
from bot.domain.resources.model import normalise as normalise
from bot.domain.resources.parsing import parse_directory as parse_directory
from bot.domain.resources.parsing import parse_hours as parse_hours
from bot.domain.resources.selection import OpenStatus as OpenStatus
from bot.domain.resources.selection import Selection as Selection
from bot.domain.resources.selection import open_status as open_status
from bot.domain.resources.selection import select_lines as select_lines
