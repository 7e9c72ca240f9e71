"""The shared digital collection (like ThaiLIS TDC): theses, research reports, articles and
local documents deposited by member libraries, searched in Thai, open through OAI-PMH and SRU.
See ``docs/repository.md``."""
