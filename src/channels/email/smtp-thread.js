// The connection pool of `SmtpEmailTransport` (smtp.transport.ts), in a worker thread of its own.
// Plain JavaScript: Node loads a thread's entry itself, without the sources' compile.
import { parentPort, workerData } from 'node:worker_threads';
import nodemailer from 'nodemailer';

const mailer = nodemailer.createTransport(workerData.options);

/** What `classifySmtpError` reads from a nodemailer error; an Error's own fields do not cross threads. */
function failure(error) {
  const field = (name) => (error && typeof error === 'object' && name in error ? error[name] : undefined);
  return {
    message: error instanceof Error ? error.message : String(error),
    code: field('code'),
    responseCode: field('responseCode'),
    originalCode: field('originalCode'),
    response: field('response'),
    command: field('command'),
  };
}

parentPort.on('message', (request) => {
  if (request.close) {
    mailer.close();
    parentPort.close();
    return;
  }
  // Through a promise, so that even a synchronous throw is an answer, not the thread's end.
  Promise.resolve(request.mail)
    .then((mail) => mailer.sendMail(mail))
    .then(
      (info) => parentPort.postMessage({ id: request.id, messageId: info.messageId }),
      (error) => parentPort.postMessage({ id: request.id, error: failure(error) }),
    );
});
