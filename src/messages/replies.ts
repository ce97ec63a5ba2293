/** The acknowledgement a sender gets, in the contact's or the channel's language; English when neither is known. */
const acknowledgements: Record<string, (number: number) => string> = {
  en: (n) => `Thank you. We received your message, number ${n}. Volunteers will read it.`,
  sw: (n) => `Asante. Tumepokea ujumbe wako, nambari ${n}. Wajitolea wataisoma.`,
  fr: (n) => `Merci. Nous avons bien reçu votre message, numéro ${n}. Des bénévoles vont le lire.`,
};

export const replyLanguages = Object.keys(acknowledgements);

const publishedNotices: Record<string, (n: number) => string> = {
  en: (n) => `Your message number ${n} is now public on the map.`,
  sw: (n) => `Ujumbe wako nambari ${n} sasa uko wazi kwenye ramani.`,
  fr: (n) => `Votre message numéro ${n} est maintenant public sur la carte.`,
};

/** The notice that a message's report was published, with the report's public address when there is one. */
export function publishedNotice(
  language: string | null | undefined,
  messageNumber: number,
  link: string | null,
): string {
  const write = (language && publishedNotices[language]) || publishedNotices.en!;
  return link ? `${write(messageNumber)} ${link}` : write(messageNumber);
}

export function acknowledgement(language: string | null | undefined, messageNumber: number): string {
  const write = (language && acknowledgements[language]) || acknowledgements.en!;
  return write(messageNumber);
}

const forgotten: Record<string, string> = {
  en: 'Your number has been forgotten; you will get no more messages from us. Write again at any time.',
  sw: 'Nambari yako imesahaulika; hutapokea ujumbe zaidi kutoka kwetu. Andika tena wakati wowote.',
  fr: 'Votre numéro a été oublié ; vous ne recevrez plus de messages de notre part. Écrivez-nous quand vous voulez.',
};

export function forgottenNotice(language: string | null | undefined): string {
  return (language && forgotten[language]) || forgotten.en!;
}

/** Words that ask to be forgotten: the carriers' own (STOP, UNSUBSCRIBE, …) and their Swahili and French. */
const stopWords = new Set([
  'stop',
  'stopall',
  'unsubscribe',
  'cancel',
  'end',
  'quit',
  'acha',
  'sitisha',
  'arret',
  'arrêt',
]);

export function asksToBeForgotten(text: string): boolean {
  return stopWords.has(text.trim().toLowerCase());
}
