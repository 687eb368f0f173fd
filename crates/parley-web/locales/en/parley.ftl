# Parley web pages — English.
nav-my-results = My results
nav-my-requests = My requests
nav-sign-out = Sign out
nav-language = Language

signin-title = Sign in
signin-intro = No password: we email you a link that signs you in.
signin-email = Your email address
signin-submit = Email me a sign-in link
signin-sent = If { $email } belongs to a Parley account, a sign-in link is on its way. It works once, for 30 minutes.
signin-expired = This sign-in link has expired or was already used. Ask for a new one below.

list-empty = No request yet.
list-empty-filtered = No request matches these filters.
list-handle = Handle the request
list-view = View the request
list-next = Next page

filters = Filters
filter-type = Type of prospect action
filter-type-requests = Requests
filter-from = From
filter-to = To
filter-marketplace = Marketplace
filter-all-marketplaces = All marketplaces
filter-product = Product
filter-all-products = All products
filter-country = Country
filter-all-countries = All countries
filter-status = Status
filter-all = All
status-new = Not answered
status-answered = Answered
filter-apply = Apply

request-buyer = Buyer
request-display-number = Display the number
request-no-phone = The buyer left no phone number.
request-text = Request
request-not-sent = Your message was not sent:

form-to = To
form-sender = Sender
form-copy = Copy
form-message = Message
form-attach = Attach a document (PDF, { $mb } MB max)
form-quote = Quote
form-other = Other document
form-document = Document
form-send = Send

history-title = History of the exchanges
history-full-email = Show the whole email
history-original = Received by email · original (.eml)
history-message = Message
history-read-on = Read on { $date }
history-request-received = Request received through { $marketplace }
history-routed = Request routed to { $to }
history-contacted = Contacted the buyer
history-phone = Displayed the buyer's phone number
history-read = Read a message
history-opened = Opened { $filename }
history-reminded = Reminded the buyer
request-remind = Remind the buyer
request-reminded = The buyer was reminded by email.
request-reminded-already = The buyer was already reminded today.
doc-quote = Quote
doc-other = Document

page-not-found = Not found
page-not-found-text = There is nothing here for you. The link may be wrong, or meant for someone else.
page-expired = Please try again
page-expired-text = This form had expired. Go back, reload the page and send it again.
page-failed = Something went wrong
page-failed-text = Something went wrong on our side. Nothing you sent was lost; please try again.
page-back = Back to my requests

error-message_empty = The message field is empty.
error-sender_empty = The Sender field is empty: please enter your email address.
error-sender_invalid = The Sender address is incorrect.
error-cc_invalid = One of the Copy addresses is incorrect.
error-file_too_large = You attached a file of more than { $mb } MB.
error-document_not_pdf = Only PDF documents can be sent.
error-document_kind_invalid = Choose Quote or Other document.
error-party_required = Choose which seller this message is for.
