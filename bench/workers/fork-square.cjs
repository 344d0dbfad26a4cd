// The floor for pool dispatch: a child started with child_process.fork, answering process.send.
process.on('message', (message) => process.send([message[0], message[1] * message[1]]));
