// The service as `npm start` runs it (server/main.ts), started by bench/live-board.ts as a
// process of its own under this name.
import '../server/main.ts';
