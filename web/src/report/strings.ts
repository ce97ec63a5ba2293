/** Every text the report page's script shows, in one place for translation. Static texts are in report.html. */
export const t = {
  sending: 'Sending…',
  send: 'Send report',
  sentTitle: 'Thank you. Your report has been received.',
  sentReference: (id: string) => `Reference: ${id}.`,
  sentPending: 'Volunteers will check it before it appears on the map.',
  sentPublished: 'It is now on the map.',
  seeMap: 'See the map',
  savedOffline: 'Saved on this device; it will be sent when you are back online.',
  savedOfflineHint: 'You can close this page. It will be sent the next time you open it with a connection.',
  queueWaiting: (n: number) =>
    n === 1
      ? 'One report saved on this device is waiting to be sent.'
      : `${n} reports saved on this device are waiting to be sent.`,
  queueSendNow: 'Send now',
  queueSent: (title: string, id: string) => `Your saved report “${title}” has been sent (reference ${id}).`,
  queueRejected: (title: string) =>
    `Your saved report “${title}” could not be accepted. It is back in the form below: please check it and send it again.`,
  queueRefused: (title: string) =>
    `Your saved report “${title}” could not be accepted and needs a correction.`,
  queueOpen: 'Open it in the form',
  fixErrors: 'Please correct the marked fields.',
  serverError: 'Sorry, the report could not be sent. Please try again in a moment.',
  tooMany:
    'Many reports are being sent from this connection. Yours is saved on this device and will be sent shortly.',
  titleRequired: 'Please say briefly what happened.',
  latRange: 'Latitude must be a number between −90 and 90.',
  lonRange: 'Longitude must be a number between −180 and 180.',
  bothCoordinates: 'Please give both latitude and longitude, or neither.',
  occurredFuture: 'This date is in the future.',
  categoryHint: 'Choose one or more.',
  locating: 'Finding your location…',
  located: (metres: number) => `Location found (accurate to about ${Math.round(metres)} m).`,
  locationDenied: 'Location permission was refused. You can type the place or pick it on the map.',
  locationUnavailable: 'Your location could not be found. You can type the place or pick it on the map.',
  pickOnMap: 'Pick on the map',
  hideMap: 'Hide the map',
  mapLoading: 'Loading the map…',
  mapHelp: 'Tap or click the map to set the place. Drag the pin to adjust it.',
  mapFailed: 'The map could not be loaded. Please type the place name or the coordinates instead.',
  pickedOnMap: 'Place set from the map.',
  suggestionsLabel: 'Suggested places',
} as const;
