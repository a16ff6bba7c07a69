"""`FakeHTTPClient`: a `stripe.HTTPClient` that answers from a FakeStripe in process, so
`stripe.StripeClient(key, http_client=FakeHTTPClient(fake))` runs unmodified against it."""

import json

import stripe

from .api import ResponseLost


class FakeHTTPClient(stripe.HTTPClient):
    name = "stripe-fake"

    def __init__(self, fake, **kwargs):
        super().__init__(**kwargs)
        self.fake = fake

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        try:
            status, payload, response_headers = self.fake.handle(method, url, headers or {}, post_data)
        except ResponseLost as lost:
            raise stripe.APIConnectionError(f"The connection to the fake Stripe dropped ({lost}).",
                                            should_retry=True) from None
        return json.dumps(payload), status, response_headers

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("The fake serves no streaming endpoint (Stripe's v1 API has none the rail uses).")

    def close(self):
        pass
