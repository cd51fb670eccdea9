"""A hello-world Flask app: this machine's framework limit under the service's own uWSGI and nginx (``bench/http_ratios.py``)."""

from flask import Flask, jsonify

application = Flask(__name__)


@application.get("/")
def hello() -> object:
    return jsonify(hello="world")


@application.post("/")
def hello_post() -> object:
    return jsonify(hello="world")
