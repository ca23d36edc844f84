/** Where a message came from; handlers get it beside the event, dead letters carry it. */
export interface MessageOrigin {
  topic: string;
  baseTopic: string;
  partition: number;
  offset: string;
  key: string | null;
  timestamp: string;
}
