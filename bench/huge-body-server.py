# A hostile "MLflow" that answers every request with SIZE bytes, chunked or with a
# Content-Length: bench/huge-body-server.py PORT SIZE chunked|length (docs/benchmarks.md).
import http.server, sys, socketserver
SIZE = int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def _go(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if sys.argv[3] == "length":
            self.send_header("Content-Length", str(SIZE))
            self.end_headers()
        else:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
        chunk = b"x" * (1 << 20)
        sent = 0
        try:
            while sent < SIZE:
                if sys.argv[3] == "length":
                    self.wfile.write(chunk)
                else:
                    self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
            if sys.argv[3] != "length":
                self.wfile.write(b"0\r\n\r\n")
        except Exception:
            pass
    do_GET = _go
    do_POST = _go
socketserver.ThreadingTCPServer.allow_reuse_address = True
with socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), H) as s:
    s.serve_forever()
