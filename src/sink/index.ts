// The sink folder: where changes go. kafka/ holds topic administration, the ordered acks=all writer
// and the Canal JSON encoder.
export * from './kafka/index.js';
