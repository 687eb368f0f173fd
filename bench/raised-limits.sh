# Sourced by the benchmarks: Parley's rate limits raised out of the way (a benchmark sends
# thousands of messages from one sender to one conversation, thousands of API calls with one
# token), and the SMTP session limit above the load generators' concurrency. Every figure a
# benchmark prints is measured with these limits raised.
export PARLEY_API_PER_SECOND=1000000000 PARLEY_API_BURST=1000000000
export PARLEY_RELAY_PER_MINUTE=1000000000
export PARLEY_SIGN_IN_PER_ADDRESS_HOURLY=1000000000 PARLEY_SIGN_IN_PER_IP_HOURLY=1000000000
export PARLEY_SMTP_MAX_SESSIONS=10000 PARLEY_SMTP_MAX_SESSIONS_PER_IP=10000
# Sender authentication off: the relay is compared with a Postfix that checks no SPF, DKIM or
# DMARC, and the load generator's senders publish nothing (monitor mode would add a DNS round
# trip per reply to the system's resolver; PARLEY_SENDER_AUTH=monitor measures that cost).
export PARLEY_SENDER_AUTH="${PARLEY_SENDER_AUTH:-off}"
