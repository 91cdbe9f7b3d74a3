/**
 * @module The remote shell rsync's sending side runs (`rsync -e`): it joins rsync's pipes to
 * corrald's abstract unix socket named on its command line.
 */
import { connect } from 'node:net'

const name = process.argv[2] ?? ''
if (!/^corral-rsync-[0-9a-f]{32}$/.test(name)) process.exit(2)
const socket = connect({ path: `\0${name}`, allowHalfOpen: true })
socket.on('error', () => process.exit(1))
process.stdin.pipe(socket)
// corrald ends its side once the receiver is done; rsync waits for its remote shell to exit
// before it closes the pipes, so the relay exits then rather than waiting for rsync's EOF.
// Writes to a pipe are synchronous on Linux, so all of it is in the pipe once the socket ends.
socket.pipe(process.stdout)
socket.on('end', () => process.exit(0))
