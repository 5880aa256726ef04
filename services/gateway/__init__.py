"""Gateway (issue 6): WebSocket push of the live feed and urgent alerts, web client."""
