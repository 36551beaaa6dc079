// tests/net/hello.js: the Node http server of tests/net/run.sh.
//   node hello.js PORT [HOST]   answers "hello from node" on /, the request
//                               path and method on /echo..., 404 elsewhere
const http = require('http');
const port = Number(process.argv[2]);
const host = process.argv[3];
const server = http.createServer((req, res) => {
	if (req.url === '/') {
		res.end('hello from node\n');
	} else if (req.url.startsWith('/echo')) {
		res.end(req.method + ' ' + req.url + '\n');
	} else {
		res.statusCode = 404;
		res.end('not found\n');
	}
});
server.listen(port, host);
