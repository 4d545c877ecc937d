from channels.generic.websocket import JsonWebsocketConsumer


class PingConsumer(JsonWebsocketConsumer):
    """Health check for the websocket path: answers every message with a pong."""

    def receive_json(self, content, **kwargs):
        self.send_json({"type": "pong", "echo": content})
