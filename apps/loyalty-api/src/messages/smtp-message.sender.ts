import { OnApplicationShutdown } from '@nestjs/common';
import { Transporter, createTransport } from 'nodemailer';
import { MessageSender, OutgoingMessage } from './message-sender';

/** Sends through one SMTP server (`SMTP_URL`), from `SMTP_FROM`. */
export class SmtpMessageSender implements MessageSender, OnApplicationShutdown {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = createTransport(url);
  }

  async send(message: OutgoingMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: { 'Content-Language': message.language },
    });
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
