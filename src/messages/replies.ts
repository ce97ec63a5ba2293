/** The acknowledgement a sender gets, in the contact's or the channel's language; English when neither is known. */
const acknowledgements: Record<string, (number: number) => string> = {
  en: (n) => `Thank you. We received your message, number ${n}. Volunteers will read it.`,
  sw: (n) => `Asante. Tumepokea ujumbe wako, nambari ${n}. Wajitolea wataisoma.`,
  fr: (n) => `Merci. Nous avons bien reçu votre message, numéro ${n}. Des bénévoles vont le lire.`,
};

export const replyLanguages = Object.keys(acknowledgements);

export function acknowledgement(language: string | null | undefined, messageNumber: number): string {
  const write = (language && acknowledgements[language]) || acknowledgements.en!;
  return write(messageNumber);
}
